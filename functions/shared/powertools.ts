import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One instrumentation style for every function: Powertools logger (structured JSON, with
 * the correlation id appended per record), metrics as EMF on stdout (never PutMetricData),
 * and the tracer. Service name and namespace come from POWERTOOLS_* variables the stack sets.
 */
export const makePowertools = (serviceName: string) => {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    serviceName,
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'orderflow',
  });
  const tracer = new Tracer({ serviceName });
  return { logger, metrics, tracer };
};

export type Powertools = ReturnType<typeof makePowertools>;
