import { type FunctionScope, installFunctionScopes, runInScope } from '../../../local/lambda/function-scope';

const scope = (
  functionName: string,
  env: Record<string, string>,
  hidden: string[] = [],
): FunctionScope & { lines: string[] } => {
  const lines: string[] = [];
  return { functionName, env: { ...env }, hidden: new Set(hidden), log: (chunk) => lines.push(chunk), lines };
};

describe('function scopes', () => {
  let uninstall: () => void;
  beforeEach(() => {
    uninstall = installFunctionScopes();
  });
  afterEach(() => uninstall());

  it('gives each function its own variables, also across awaits while both run', async () => {
    // Arrange
    const a = scope('a', { ORDERS_TABLE: 'orders-a' });
    const b = scope('b', { ORDERS_TABLE: 'orders-b' });
    const readLater = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return process.env.ORDERS_TABLE;
    };

    // Act
    const [fromA, fromB] = await Promise.all([runInScope(a, readLater), runInScope(b, readLater)]);

    // Assert
    expect([fromA, fromB]).toEqual(['orders-a', 'orders-b']);
    expect(process.env.ORDERS_TABLE).toBeUndefined();
  });

  it("hides the host's variables the function must not inherit, and keeps the function's writes to itself", () => {
    // Arrange
    process.env.ORDERFLOW_SCOPE_TEST = 'host';
    const fn = scope('f', {}, ['ORDERFLOW_SCOPE_TEST']);

    // Act
    const seen = runInScope(fn, () => {
      const before = process.env.ORDERFLOW_SCOPE_TEST;
      process.env.WRITTEN_INSIDE = 'yes';
      return { before, keys: Object.keys(process.env) };
    });

    // Assert
    expect(seen.before).toBeUndefined();
    expect(seen.keys).toContain('WRITTEN_INSIDE');
    expect(seen.keys).not.toContain('ORDERFLOW_SCOPE_TEST');
    expect(process.env.WRITTEN_INSIDE).toBeUndefined();
    expect(fn.env.WRITTEN_INSIDE).toBe('yes');
    delete process.env.ORDERFLOW_SCOPE_TEST;
  });

  it("sends what a function writes to stdout to the function's log", () => {
    // Arrange
    const fn = scope('f', {});

    // Act
    runInScope(fn, () => process.stdout.write('{"level":"INFO"}\n'));

    // Assert
    expect(fn.lines).toEqual(['{"level":"INFO"}\n']);
  });
});
