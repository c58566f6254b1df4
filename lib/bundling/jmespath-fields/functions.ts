/**
 * `@aws-lambda-powertools/jmespath/functions` in the function bundles: IdempotencyConfig makes a
 * PowertoolsFunctions by default and hands it to `search`, which needs no functions for field
 * selections (see ./index.ts).
 */
export class PowertoolsFunctions {}
