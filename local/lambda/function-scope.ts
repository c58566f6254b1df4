import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one in-process function sees of the process: its own environment and its own log.
 *
 * Why: Lambda gives every function its own process and environment, and our handlers read their
 * configuration at module scope (`env('ORDERS_TABLE')`) and the SDK reads credentials and region
 * lazily, during the first request. Swapping `process.env` around a `require` would cover the first
 * but not the second, and several functions run at once here. So `process.env` is replaced by a
 * proxy that answers from the scope of the function whose code is running, found through
 * AsyncLocalStorage: module loading and every invocation run inside `runInScope`, and the scope
 * follows every promise, timer and callback they create.
 */
export interface FunctionScope {
  readonly functionName: string;
  /** The function's variables. Writes made by its own code land here, never in the host's env. */
  readonly env: Record<string, string>;
  /** Host variables the function must not see (every variable some function defines). */
  readonly hidden: ReadonlySet<string>;
  /** Where its stdout and stderr go (its "log group"). */
  readonly log: (chunk: string) => void;
}

const storage = new AsyncLocalStorage<FunctionScope>();

export const runInScope = <T>(scope: FunctionScope, work: () => T): T => storage.run(scope, work);

export const currentScope = (): FunctionScope | undefined => storage.getStore();

const scopedEnv = (host: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  new Proxy(host, {
    get(target, key) {
      const scope = storage.getStore();
      if (!scope || typeof key !== 'string') return Reflect.get(target, key);
      if (Object.hasOwn(scope.env, key)) return scope.env[key];
      return scope.hidden.has(key) ? undefined : Reflect.get(target, key);
    },
    set(target, key, value) {
      const scope = storage.getStore();
      if (!scope || typeof key !== 'string') return Reflect.set(target, key, value);
      scope.env[key] = String(value);
      return true;
    },
    has(target, key) {
      const scope = storage.getStore();
      if (!scope || typeof key !== 'string') return Reflect.has(target, key);
      return Object.hasOwn(scope.env, key) || (!scope.hidden.has(key) && Reflect.has(target, key));
    },
    deleteProperty(target, key) {
      const scope = storage.getStore();
      if (!scope || typeof key !== 'string') return Reflect.deleteProperty(target, key);
      delete scope.env[key];
      return true;
    },
    ownKeys(target) {
      const scope = storage.getStore();
      if (!scope) return Reflect.ownKeys(target);
      const visible = Reflect.ownKeys(target).filter(
        (key) => typeof key !== 'string' || !scope.hidden.has(key),
      );
      return [...new Set([...visible, ...Object.keys(scope.env)])];
    },
    getOwnPropertyDescriptor(target, key) {
      const scope = storage.getStore();
      if (!scope || typeof key !== 'string') return Reflect.getOwnPropertyDescriptor(target, key);
      if (Object.hasOwn(scope.env, key)) {
        return { value: scope.env[key], writable: true, enumerable: true, configurable: true };
      }
      return scope.hidden.has(key) ? undefined : Reflect.getOwnPropertyDescriptor(target, key);
    },
  });

type Write = typeof process.stdout.write;

const scopedWrite = (original: Write): Write =>
  function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const scope = storage.getStore();
    if (!scope) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    scope.log(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  } as Write;

let installs = 0;
let restore: (() => void) | undefined;

/**
 * Installs the scoped `process.env` and stdout/stderr once per process; the returned function
 * uninstalls when the last user is done. Outside a function scope everything behaves as before.
 */
export const installFunctionScopes = (): (() => void) => {
  installs += 1;
  if (installs === 1) {
    const hostEnv = process.env;
    const { stdout, stderr } = process;
    const writes = { stdout: stdout.write, stderr: stderr.write };
    process.env = scopedEnv(hostEnv);
    stdout.write = scopedWrite(writes.stdout);
    stderr.write = scopedWrite(writes.stderr);
    restore = () => {
      process.env = hostEnv;
      stdout.write = writes.stdout;
      stderr.write = writes.stderr;
    };
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    installs -= 1;
    if (installs === 0) {
      restore?.();
      restore = undefined;
    }
  };
};
