interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

/**
 * aws-local-stepfunctions 3 targets Node 22 and calls `Promise.withResolvers` in every Task
 * state; on Node 20 each Task would fail with a TypeError (and its handler's rejection would go
 * unhandled). Installs the ES2024 method when it is missing; a no-op on Node 22.
 */
export const installPromiseWithResolvers = (): void => {
  if ('withResolvers' in Promise) return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve: Resolvers<T>['resolve'] = () => undefined;
      let reject: Resolvers<T>['reject'] = () => undefined;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
};
