/**
 * `node --import tsx lib/bundling/bundle-cli.ts <entry> <outdir> [--source-map] [--trace-sdk-calls]`: one
 * function's bundle.
 * The CDK asks for bundles synchronously and esbuild's plugins run only in its asynchronous API, so
 * OrderflowFunction runs this in a child process, as the CDK's own NodejsFunction runs esbuild's CLI.
 */
import { bundleFunction } from './bundle';

const [entry, outdir, ...flags] = process.argv.slice(2);
if (entry === undefined || outdir === undefined) {
  process.stderr.write('usage: bundle-cli.ts <entry> <outdir> [--source-map] [--trace-sdk-calls]\n');
  process.exit(2);
}
bundleFunction({
  entry,
  outdir,
  sourceMap: flags.includes('--source-map'),
  traceSdkCalls: flags.includes('--trace-sdk-calls'),
}).catch((error: unknown) => {
  // esbuild has printed each error with its file and line already.
  process.stderr.write(
    `bundling ${entry} failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
