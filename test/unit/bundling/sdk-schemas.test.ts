import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runInNewContext } from 'node:vm';
import { build, transformSync } from 'esbuild';
import { bundleFunction, ORDERFLOW_BUNDLING } from '../../../lib/bundling/bundle';
import { inlineSchemaKeys, SDK_SCHEMA_MODULE } from '../../../lib/bundling/sdk-schemas';
import { PROJECT_ROOT } from '../../../lib/project-root';

/** Every schema module of the SDK clients orderflow depends on. */
const schemaModules = (): string[] => {
  const sdk = path.join(PROJECT_ROOT, 'node_modules', '@aws-sdk');
  return readdirSync(sdk)
    .filter((name) => name.startsWith('client-'))
    .flatMap((client) => {
      const directory = path.join(sdk, client, 'dist-es', 'schemas');
      return readdirSync(directory).map((file) => path.join(directory, file));
    })
    .filter((file) => SDK_SCHEMA_MODULE.test(file));
};

/** What a module's imports stand for: one class per imported name, shared by both evaluations. */
const imported = new Map<string, unknown>();
const importedName = (name: string): unknown => {
  let value = imported.get(name);
  if (value === undefined) {
    // A TypeRegistry, an error class: constructed and called, never looked into by the schemas.
    value = class {
      constructor() {
        // biome-ignore lint/correctness/noConstructorReturn: a stand-in whose every method is a no-op
        return new Proxy({}, { get: () => () => undefined });
      }
    };
    imported.set(name, value);
  }
  return value;
};
const requireStub = (): unknown =>
  new Proxy({}, { get: (_target, name) => (name === '__esModule' ? true : importedName(String(name))) });

/** The module's exports, evaluated as CommonJS with its imports stubbed. */
const evaluate = (source: string): Record<string, unknown> => {
  const { code } = transformSync(source, { format: 'cjs', loader: 'js' });
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(code, { module, exports: module.exports, require: requireStub });
  return module.exports;
};

/**
 * Structural equality of two schema graphs: arrays, objects and strings as usual, and the thunks
 * (`() => GetObjectRequest$`) by what they return. Pairs already compared count as equal (cycles).
 */
const sameSchema = (a: unknown, b: unknown, seen = new Map<unknown, unknown>()): boolean => {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (typeof a === 'function' && typeof b === 'function') {
    if (a.length !== 0 || b.length !== 0) return false;
    return sameSchema((a as () => unknown)(), (b as () => unknown)(), seen);
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) =>
      Object.hasOwn(b, key) &&
      sameSchema((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen),
  );
};

describe('tree-shakable SDK schemas (lib/bundling/sdk-schemas)', () => {
  const modules = schemaModules();

  it('finds the schema module of every SDK client orderflow uses', () => {
    const clients = modules.map((file) => file.split(path.sep).at(-4));
    expect(clients).toEqual(
      expect.arrayContaining(['client-s3', 'client-sqs', 'client-dynamodb', 'client-sfn', 'client-sns']),
    );
  });

  it.each(modules.map((file) => [path.relative(PROJECT_ROOT, file), file]))(
    'leaves %s with the same exports and no computed key that names a constant',
    (_name, file) => {
      // Arrange
      const original = readFileSync(file, 'utf8');

      // Act
      const rewritten = inlineSchemaKeys(original);

      // Assert: every export equal, thunks followed; and nothing left for esbuild to keep.
      const before = evaluate(original);
      const after = evaluate(rewritten);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      for (const name of Object.keys(before))
        expect([name, sameSchema(before[name], after[name])]).toEqual([name, true]);
      expect(rewritten).not.toMatch(/\[_\w+\]:/);
    },
  );

  it('leaves a computed key alone when its name is not a string constant of the module', () => {
    const source = 'const _a = "A";\nlet _b = "B";\nexport var X$ = [{ [_a]: 1, [_b]: 2, [_c]: 3 }];\n';
    expect(inlineSchemaKeys(source)).toBe(
      'const _a = "A";\nlet _b = "B";\nexport var X$ = [{ "A": 1, [_b]: 2, [_c]: 3 }];\n',
    );
  });

  it("keeps only the operations a bundle calls: the S3 client's other schemas are gone", async () => {
    // Arrange: a function that calls GetObject only, bundled as the functions are and without the plugin.
    const work = mkdtempSync(path.join(tmpdir(), 'orderflow-sdk-schemas-'));
    try {
      const entry = path.join(work, 'entry.ts');
      writeFileSync(
        entry,
        "import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';\n" +
          "export const handler = () => new S3Client({}).send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));\n",
      );

      // Act
      await bundleFunction({ entry, outdir: path.join(work, 'with') });
      await build({
        ...ORDERFLOW_BUNDLING,
        external: [...ORDERFLOW_BUNDLING.external],
        mainFields: [...ORDERFLOW_BUNDLING.mainFields],
        plugins: [],
        absWorkingDir: PROJECT_ROOT,
        nodePaths: [path.join(PROJECT_ROOT, 'node_modules')],
        entryPoints: [entry],
        outfile: path.join(work, 'without', 'index.js'),
        logLevel: 'error',
      });

      // Assert: the operation called keeps its route; one never called is in the bundle only without the plugin.
      const withPlugin = readFileSync(path.join(work, 'with', 'index.js'), 'utf8');
      const withoutPlugin = readFileSync(path.join(work, 'without', 'index.js'), 'utf8');
      expect(withPlugin).toContain('?x-id=GetObject');
      expect(withoutPlugin).toContain('/WriteGetObjectResponse');
      expect(withPlugin).not.toContain('/WriteGetObjectResponse');
      expect(withPlugin.length).toBeLessThan(withoutPlugin.length - 40_000);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
