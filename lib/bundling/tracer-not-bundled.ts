/**
 * Stands in for `@aws-lambda-powertools/tracer` in the bundles of a stage without SDK-call tracing
 * (stage option `tracing.sdkCalls`, the default): an esbuild alias set by lib/bundling/bundle. Those
 * functions run with POWERTOOLS_TRACE_ENABLED=false and never load the Tracer (functions/shared/powertools
 * makeTracer); the X-Ray SDK under it is ~100 kB of minified code every cold start would parse. Should
 * the variable be turned on by hand, makeTracer finds no Tracer here, says so and does not trace.
 */
export const Tracer = undefined;
