import * as path from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * Modules a function loads on first use ship as files of their own beside `index.js`.
 *
 * Some code runs only for unusual input: the zod schemas of record (`order-placed-schema.lazy.ts`,
 * `saga-state-schema.lazy.ts`, …), needed only for input their fast paths are not certain of, and
 * process-order's DLQ sender with its SQS client (`dead-letter.lazy.ts`), needed only when a record goes
 * to the DLQ. The functions `require()` such a module where it is needed. Bundled into `index.js` it
 * would still cost every cold start: V8 parses all of a script's code when it loads it, run or not.
 * A `require()` (never an `import`) of a module named `*.lazy` is therefore left to Node.js, as
 * `require("./<name>.lazy.js")`, and the module is bundled as `<name>.lazy.js` (see bundleFunction).
 *
 * Such a module gets its own copy of whatever it imports, so it must not hand the caller instances of
 * classes the caller tests with `instanceof` (our errors above all): it returns verdicts and its caller
 * throws. The SDK errors the DLQ sender may throw are told apart by name, as everywhere.
 */

/** A module that is loaded on first use when `require()`d: its name ends in `.lazy`. */
export const LAZY_MODULE = /\.lazy$/;

/** Marks the resolve the plugin asks esbuild for itself, so it does not answer it again. */
const RESOLVING = Symbol('orderflow-lazy-module');

/**
 * The esbuild plugin. Each lazy module it meets is added to `modules` (file name → module path), which
 * the caller then bundles beside the output.
 */
export const lazyModules = (modules: Map<string, string>): Plugin => ({
  name: 'orderflow-lazy-modules',
  setup(build) {
    build.onResolve({ filter: LAZY_MODULE }, async (args) => {
      if (args.kind !== 'require-call' || args.pluginData === RESOLVING) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: RESOLVING,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // Named as required (`./x.lazy` → x.lazy.js): a directory `x.lazy/index.ts` must not become index.js.
      const file = `${path.basename(args.path)}.js`;
      const known = modules.get(file);
      if (known !== undefined && known !== resolved.path) {
        return {
          errors: [{ text: `two lazy modules would both be ${file}: ${known} and ${resolved.path}` }],
        };
      }
      modules.set(file, resolved.path);
      return { path: `./${file}`, external: true };
    });
  },
});
