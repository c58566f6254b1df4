import { createOrderflowApp, type OrderflowApp } from '../../../lib/app';

export interface BuildAppOptions {
  /**
   * CDK's built-in CloudFormation template validation costs ~9 s per synth of this app; construct
   * tests leave it off, the nag test turns it on once. @default false
   */
  readonly cloudFormationValidation?: boolean;
}

/**
 * The real app with bundling skipped (each function then gets a placeholder asset), so a
 * construct test costs a synth, not an esbuild run per function.
 */
export const buildApp = (
  context: Record<string, unknown> = {},
  options: BuildAppOptions = {},
): OrderflowApp =>
  createOrderflowApp({
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
