import { join } from 'node:path';
import { build } from 'esbuild';
import { SAGA_ERROR_NAMES } from '#shared/errors/saga';

/** Constructor arguments per class; every other class takes a message. */
const ARGUMENTS: Record<string, unknown[]> = {
  OutOfStock: [[{ sku: 'A', requested: 2, available: 1 }]],
  UnknownSku: [['A']],
  PaymentLedgerConflict: ['o', 'PENDING'],
};

describe('saga error names in a minified bundle', () => {
  it('keep the names the state machine matches on, though the classes are renamed', async () => {
    // Arrange: bundle like the CDK does (esbuild, minified), without keepNames.
    const result = await build({
      entryPoints: [join(__dirname, '..', '..', '..', 'functions', 'shared', 'errors', 'saga.ts')],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'node',
      target: 'node22',
      write: false,
      logLevel: 'silent',
    });
    const module = { exports: {} as Record<string, unknown> };
    new Function('module', 'exports', result.outputFiles[0]?.text ?? '')(module, module.exports);

    // Act
    const names = Object.entries(module.exports)
      .filter(([, value]) => typeof value === 'function')
      .map(([exported, value]) => {
        const ErrorClass = value as new (...args: unknown[]) => Error;
        return { exported, name: new ErrorClass(...(ARGUMENTS[exported] ?? ['message'])).name };
      });

    // Assert
    expect(names.map(({ name }) => name).sort()).toEqual([...SAGA_ERROR_NAMES].sort());
    for (const { exported, name } of names) expect(name).toBe(exported);
  });
});
