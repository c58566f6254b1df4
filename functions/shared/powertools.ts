import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** What orderflow's functions use of Powertools' Tracer. */
export type FunctionTracer = Pick<
  Tracer,
  | 'captureAWSv3Client'
  | 'isTracingEnabled'
  | 'getSegment'
  | 'setSegment'
  | 'annotateColdStart'
  | 'addServiceNameAnnotation'
  | 'addErrorAsMetadata'
>;

/** Powertools' Tracer as it behaves with tracing disabled, without loading it. */
const UNTRACED: FunctionTracer = {
  captureAWSv3Client: (service) => service,
  isTracingEnabled: () => false,
  getSegment: () => undefined,
  setSegment: () => undefined,
  annotateColdStart: () => undefined,
  addServiceNameAnnotation: () => undefined,
  addErrorAsMetadata: () => undefined,
};

/**
 * Powertools' Tracer, or, when POWERTOOLS_TRACE_ENABLED is `false` (the stack's default, stage option
 * `tracing.sdkCalls`), a stand-in that does what the Tracer does then: nothing. The Tracer is loaded
 * only when it will trace, because loading it loads the X-Ray SDK, whose context (cls-hooked) turns on
 * an async hook for the whole process: every promise then pays for it, traced or not, and the cold
 * start pays for the load.
 */
export const makeTracer = (serviceName: string): FunctionTracer => {
  if (process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false') return UNTRACED;
  // A require, not an import: loaded only here. A bundle built without SDK-call tracing holds a
  // stand-in without a Tracer (lib/bundling/tracer-not-bundled).
  const { Tracer: PowertoolsTracer } =
    require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  if (typeof PowertoolsTracer !== 'function') {
    console.warn(
      'POWERTOOLS_TRACE_ENABLED is on, but this bundle was built without the Tracer: deploy with -c traceSdkCalls=true to trace AWS calls',
    );
    return UNTRACED;
  }
  return new PowertoolsTracer({ serviceName });
};

/**
 * One instrumentation style for every function: Powertools logger (structured JSON, with
 * the correlation id appended per record), metrics as EMF on stdout (never PutMetricData),
 * and the tracer (makeTracer). Service name and namespace come from POWERTOOLS_* variables the stack sets.
 */
export const makePowertools = (serviceName: string) => {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    serviceName,
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'orderflow',
  });
  const tracer = makeTracer(serviceName);
  return { logger, metrics, tracer };
};

export type Powertools = ReturnType<typeof makePowertools>;
