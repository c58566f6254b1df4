import * as path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { ESBUILD_NODE_TARGET } from '../node-runtime';
import { PROJECT_ROOT } from '../project-root';
import { lazyModules } from './lazy-modules';
import { treeShakableSdkSchemas } from './sdk-schemas';

/**
 * Credential providers the SDK's default chain loads, with `import()`, only after the environment
 * variables gave no credentials. Lambda always sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN (the local runtime too), so these never load; bundled they were about 30 KB of
 * every zip (SSO, STS and the INI, process, token-file, container and IMDS providers). Left out of the
 * bundle they stay lazy requires that Lambda's runtime could still resolve from its own SDK copy.
 */
export const LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/nested-clients',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
] as const;

/**
 * How every function is bundled: the one set of esbuild options, exported so the drift tests and the
 * benchmark's yardstick read the same values, never a copy. The AWS SDK is bundled (one tested SDK
 * version instead of whatever the runtime ships). The shipped bundles themselves are run by
 * `orderflow local up --bundled` and test/integration/local-runtime-bundled.test.ts.
 */
export const ORDERFLOW_BUNDLING = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: ESBUILD_NODE_TARGET,
  minify: true,
  // Error classes and stack traces keep their names; the saga matches literal error names anyway.
  keepNames: true,
  external: [...LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS],
  alias: {
    semver: path.join(PROJECT_ROOT, 'lib', 'bundling', 'semver-unused.cjs'),
    // Field selections only: the idempotency keys' expressions (lib/bundling/jmespath-fields).
    '@aws-lambda-powertools/jmespath': path.join(PROJECT_ROOT, 'lib', 'bundling', 'jmespath-fields'),
    // No event streams: every client's protocol imports them dynamically, no orderflow call uses one.
    '@smithy/core/event-streams': path.join(PROJECT_ROOT, 'lib', 'bundling', 'event-streams-unused.ts'),
  },
  // ESM entry points of the SDK and Powertools tree-shake far better than their CJS builds.
  mainFields: ['module', 'main'],
  tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
  // Only the operations a function calls keep their schemas (lib/bundling/sdk-schemas).
  plugins: [treeShakableSdkSchemas],
} as const satisfies BuildOptions;

export interface BundleOptions {
  /** The handler module, absolute or relative to the repository root. */
  readonly entry: string;
  /** The directory that receives `index.js` (and `index.js.map` with sourceMap). */
  readonly outdir: string;
  /**
   * A source map beside the bundle: readable stack traces with `--enable-source-maps`, at the price of
   * a zip four times the size and a slower cold start. @default false
   */
  readonly sourceMap?: boolean;
  /**
   * Powertools' Tracer and the X-Ray SDK in the bundle (stage option `tracing.sdkCalls`). Without them,
   * `@aws-lambda-powertools/tracer` is lib/bundling/tracer-not-bundled. @default false
   */
  readonly traceSdkCalls?: boolean;
}

/**
 * Bundles one function's handler with ORDERFLOW_BUNDLING into `<outdir>/index.js`, and each module it
 * loads on first use (lib/bundling/lazy-modules) into `<outdir>/<name>.js` beside it.
 */
export const bundleFunction = async (options: BundleOptions): Promise<void> => {
  const lazy = new Map<string, string>();
  const bundleOne = (entry: string, file: string) =>
    build({
      ...ORDERFLOW_BUNDLING,
      external: [...ORDERFLOW_BUNDLING.external],
      mainFields: [...ORDERFLOW_BUNDLING.mainFields],
      plugins: [...ORDERFLOW_BUNDLING.plugins, lazyModules(lazy)],
      alias: {
        ...ORDERFLOW_BUNDLING.alias,
        ...(options.traceSdkCalls
          ? {}
          : {
              '@aws-lambda-powertools/tracer': path.join(
                PROJECT_ROOT,
                'lib',
                'bundling',
                'tracer-not-bundled.ts',
              ),
            }),
      },
      absWorkingDir: PROJECT_ROOT,
      // Packages resolve from the project even for an entry outside it (the benchmark's yardstick).
      nodePaths: [path.join(PROJECT_ROOT, 'node_modules')],
      entryPoints: [entry],
      outfile: path.join(options.outdir, file),
      sourcemap: options.sourceMap ?? false,
      logLevel: 'warning',
    });
  await bundleOne(path.resolve(PROJECT_ROOT, options.entry), 'index.js');
  // A lazy module may require another (added to `lazy` while it is bundled): bundle until none is left.
  const bundled = new Set<string>();
  const pending = () => [...lazy].filter(([file]) => !bundled.has(file));
  for (let next = pending(); next.length > 0; next = pending()) {
    for (const [file, modulePath] of next) {
      bundled.add(file);
      await bundleOne(modulePath, file);
    }
  }
};
