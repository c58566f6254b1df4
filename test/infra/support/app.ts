import { createOrderflowApp, type OrderflowApp } from '../../../lib/app';

/**
 * The real app with bundling skipped (NodejsFunction then uses a placeholder asset), so a
 * construct test costs a synth, not an esbuild run per function.
 */
export const buildApp = (context: Record<string, unknown> = {}): OrderflowApp =>
  createOrderflowApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
