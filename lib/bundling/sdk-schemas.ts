import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/**
 * Makes the AWS SDK clients' schema modules tree-shakable in the function bundles.
 *
 * Each client describes every operation of its service in one module (`dist-es/schemas/schemas_0.js`),
 * as top-level `export var GetObject$ = [9, n0, _GO, { [_h]: ["GET", "/{Key+}?x-id=GetObject", 200] }, …]`.
 * esbuild drops the exports a bundle never imports, but only when their initialisers cannot have side
 * effects, and a computed key (`[_h]`) might: converting a value to a property key can run code. So
 * every operation's schema stayed in every bundle: the S3 client's ≈ 58 kB minified of the ≈ 60 kB
 * its schemas take, for the four operations ingest calls.
 *
 * The keys are module constants of string literals (`const _h = "http";`), so writing the literal in
 * place of the name (`"http":`) changes no value and lets esbuild see the initialisers are pure.
 * Nothing else in the module is touched, and a name that is not such a constant stays as it is.
 * test/unit/bundling/sdk-schemas.test.ts evaluates each client's module before and after and finds
 * the same exports.
 */

/** The schema modules of the SDK v3 clients (ESM builds), by path. */
export const SDK_SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/** `const _x = "…";` on a line of its own: the only declarations whose value is inlined. */
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** A computed key naming a module constant, `[_x]:` (an object literal's key, never inside a string). */
const COMPUTED_CONSTANT_KEY = /\[(_\w+)\]:/g;

/** The module's source with each computed key that names a string constant written as that string. */
export const inlineSchemaKeys = (source: string): string => {
  // Top-level (unindented) `const`s: one declaration per name in a module, never reassigned.
  const constants = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) {
    if (name !== undefined && literal !== undefined) constants.set(name, literal);
  }
  return source.replace(COMPUTED_CONSTANT_KEY, (key, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
};

/** The esbuild plugin: every SDK schema module is read through inlineSchemaKeys. */
export const treeShakableSdkSchemas: Plugin = {
  name: 'orderflow-tree-shakable-sdk-schemas',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => ({
      contents: inlineSchemaKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};
