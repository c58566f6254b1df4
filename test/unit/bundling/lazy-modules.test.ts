import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../../lib/bundling/bundle';
import { orderPlaced } from '../../helpers/sqs-events';

/**
 * Modules loaded on first use (lib/bundling/lazy-modules): a `require()` of a `*.lazy` module ships as a
 * file of its own beside index.js, which Node.js loads only when the code gets there.
 */

/** A valid order in canonical form, as the saga carries it (source text for the child process). */
const ORDER = JSON.stringify(orderPlaced('o-1'));

describe('lazy modules in a function bundle', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'orderflow-lazy-modules-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the saga payload schemas beside index.js and loads them only for a payload that needs them', async () => {
    // Arrange
    const outdir = path.join(work, 'saga-state');
    await bundleFunction({ entry: 'functions/shared/domain/saga-state.ts', outdir });
    const script = [
      "const loaded = () => Object.keys(require.cache).map((file) => require('node:path').basename(file)).sort();",
      "const { parseSagaState } = require('./index.js');",
      `const order = ${ORDER};`,
      "const usual = parseSagaState({ order, correlationId: 'c-1' });",
      'const afterUsual = loaded();',
      "const unusual = parseSagaState({ order: { ...order, items: [...order.items].reverse() }, correlationId: 'c-1' });",
      'const afterUnusual = loaded();',
      'let refused;',
      "try { parseSagaState({ order, correlationId: '' }); } catch (error) { refused = error.name + ': ' + error.message; }",
      'process.stdout.write(JSON.stringify({ afterUsual, afterUnusual, items: unusual.order.items.map((item) => item.sku), usual: usual.order.orderId, refused }));',
    ].join('\n');

    // Act
    const out = execFileSync(process.execPath, ['-e', script], { cwd: outdir });

    // Assert
    expect(readdirSync(outdir).sort()).toEqual(['index.js', 'saga-state-schema.lazy.js']);
    expect(JSON.parse(out.toString('utf8'))).toEqual({
      afterUsual: ['index.js'],
      // saga-state-schema.lazy.js holds the order schema it imports.
      afterUnusual: ['index.js', 'saga-state-schema.lazy.js'],
      // The schema's output: lines merged and kept in the order written, not sorted.
      items: ['SKU-B', 'SKU-A'],
      usual: 'o-1',
      // Thrown by index.js's own error class, with the reasons the schema gave.
      refused:
        'InvalidSagaInput: not a saga state: correlationId: Too small: expected string to have >=1 characters',
    });
  }, 60_000);

  it("keeps process-order's SQS client, needed only by the DLQ sender, out of index.js", async () => {
    // Arrange / Act
    const outdir = path.join(work, 'process-order');
    await bundleFunction({ entry: 'functions/process-order/handler.ts', outdir });
    const has = (file: string, text: string) => readFileSync(path.join(outdir, file), 'utf8').includes(text);

    // Assert: the bundled client names its package (its package.json is in the bundle).
    expect(readdirSync(outdir).sort()).toEqual([
      'dead-letter.lazy.js',
      'index.js',
      'order-placed-schema.lazy.js',
    ]);
    expect(has('index.js', '"@aws-sdk/client-sfn"')).toBe(true);
    expect(has('index.js', '"@aws-sdk/client-sqs"')).toBe(false);
    expect(has('dead-letter.lazy.js', '"@aws-sdk/client-sqs"')).toBe(true);
  }, 60_000);

  it("loads ingest's csv-parse with the first CSV file, and words its errors as before", async () => {
    // Arrange
    const outdir = path.join(work, 'csv');
    await bundleFunction({ entry: 'functions/ingest/parsers/csv.ts', outdir });
    const header =
      'order_id,customer_id,currency,sku,quantity,unit_price_cents,total_cents,payment_token,ship_country,ship_postal_code,placed_at';
    const row = 'o-1,c-1,EUR,A,2,150,300,t,DE,10115,2026-11-20T09:15:00Z';
    const script = [
      "const loaded = () => Object.keys(require.cache).map((file) => require('node:path').basename(file)).sort();",
      "const { parseCsv } = require('./index.js');",
      'const afterLoad = loaded();',
      'const read = async (text) => { const out = []; for await (const r of parseCsv((async function* () { yield text; })(), { line: 1 })) out.push(r); return out; };',
      '(async () => {',
      `  const records = await read(${JSON.stringify(`${header}\n${row}\n`)});`,
      '  let refused;',
      `  try { await read(${JSON.stringify(`${header}\n${row}\n"o-2,unclosed\n`)}); } catch (error) { refused = error.name + ': ' + error.message.split(':')[0]; }`,
      '  process.stdout.write(JSON.stringify({ afterLoad, afterRead: loaded(), records: records.length, refused }));',
      '})();',
    ].join('\n');

    // Act
    const out = execFileSync(process.execPath, ['-e', script], { cwd: outdir });

    // Assert
    expect(JSON.parse(out.toString('utf8'))).toEqual({
      afterLoad: ['index.js'],
      afterRead: ['csv-parse.lazy.js', 'index.js'],
      records: 1,
      // The parse error is csv-parse's own CsvError, told apart by the chunk's class: the reason stays specific.
      refused: 'UnreadableInput: the CSV cannot be read past line 3',
    });
  }, 60_000);

  it('bundles a lazy module that requires another, each as the file it was required as', async () => {
    // Arrange: `./parts.lazy` is a directory (its index.ts), which must not become index.js.
    const source = path.join(work, 'nested');
    mkdirSync(path.join(source, 'parts.lazy'), { recursive: true });
    writeFileSync(
      path.join(source, 'parts.lazy', 'index.ts'),
      "export const parts = (): string[] => ['outer', (require('../inner.lazy') as { inner: string }).inner];\n",
    );
    writeFileSync(path.join(source, 'inner.lazy.ts'), "export const inner = 'inner';\n");
    writeFileSync(
      path.join(source, 'entry.ts'),
      "export const handler = () => (require('./parts.lazy') as { parts: () => string[] }).parts();\n",
    );
    const outdir = path.join(work, 'nested-out');

    // Act
    await bundleFunction({ entry: path.join(source, 'entry.ts'), outdir });
    const out = execFileSync(
      process.execPath,
      ['-e', "process.stdout.write(JSON.stringify(require('./index.js').handler()))"],
      {
        cwd: outdir,
      },
    );

    // Assert
    expect(readdirSync(outdir).sort()).toEqual(['index.js', 'inner.lazy.js', 'parts.lazy.js']);
    expect(JSON.parse(out.toString('utf8'))).toEqual(['outer', 'inner']);
  }, 60_000);

  it('refuses two lazy modules that would be the same file', async () => {
    // Arrange
    const source = path.join(work, 'clash');
    for (const dir of ['a', 'b']) {
      mkdirSync(path.join(source, dir), { recursive: true });
      writeFileSync(path.join(source, dir, 'order.lazy.ts'), `export const from = '${dir}';\n`);
    }
    writeFileSync(
      path.join(source, 'entry.ts'),
      "export const handler = () => [require('./a/order.lazy').from, require('./b/order.lazy').from];\n",
    );

    // Act / Assert
    await expect(
      bundleFunction({ entry: path.join(source, 'entry.ts'), outdir: path.join(work, 'clash-out') }),
    ).rejects.toThrow(/two lazy modules would both be order\.lazy\.js/);
  }, 60_000);
});
