import type { Context } from 'aws-lambda';
import type { LambdaHandler, LocalStateMachine } from '../../local/sfn';
import { readSagaAsl, SAGA_FUNCTION_KEYS, sagaSubstitutions } from './saga-asl';

export type SagaFunctionKey = (typeof SAGA_FUNCTION_KEYS)[number];
export type SagaHandlers = Readonly<Record<SagaFunctionKey, LambdaHandler>>;

/** The step handlers modules, imported after the environment is set (they read it at module scope). */
export const importSagaHandlers = async (): Promise<SagaHandlers> => ({
  AcceptOrderFunctionArn: (await import('../../functions/saga/accept-order/handler')).handler,
  ReserveInventoryFunctionArn: (await import('../../functions/saga/reserve-inventory/handler')).handler,
  ChargePaymentFunctionArn: (await import('../../functions/saga/charge-payment/handler')).handler,
  CreateShipmentFunctionArn: (await import('../../functions/saga/create-shipment/handler')).handler,
  ConfirmOrderFunctionArn: (await import('../../functions/saga/confirm-order/handler')).handler,
  CancelShipmentFunctionArn: (await import('../../functions/saga/cancel-shipment/handler')).handler,
  RefundPaymentFunctionArn: (await import('../../functions/saga/refund-payment/handler')).handler,
  ReleaseInventoryFunctionArn: (await import('../../functions/saga/release-inventory/handler')).handler,
  RecordOutcomeFunctionArn: (await import('../../functions/saga/record-outcome/handler')).handler,
});

/**
 * Every invocation runs the handler twice and answers with the second run, as a Lambda
 * delivered twice or a task retried after a lost response would.
 */
export const invokedTwice = (handlers: SagaHandlers): SagaHandlers =>
  Object.fromEntries(
    Object.entries(handlers).map(([key, handler]) => [
      key,
      async (payload: unknown, context: Context) => {
        await Promise.resolve(handler(payload, context)).catch(() => undefined);
        return handler(payload, context);
      },
    ]),
  ) as unknown as SagaHandlers;

/**
 * The order saga as the CDK deploys it: the ASL file, one function ARN per task key (and the
 * Lambda invoke integration ARN), each function served by an in-process handler. `adjust` edits the parsed definition (e.g. its timeout).
 */
export const sagaStateMachine = (
  name: string,
  handlers: SagaHandlers,
  adjust?: (definition: Record<string, unknown>) => void,
): LocalStateMachine => {
  const arnOf = (key: string) =>
    `arn:aws:lambda:us-east-1:000000000000:function:${name}-${key.replace(/FunctionArn$/, '')}`;
  let definition = readSagaAsl();
  if (adjust) {
    const parsed = JSON.parse(definition) as Record<string, unknown>;
    adjust(parsed);
    definition = JSON.stringify(parsed);
  }
  return {
    name,
    definition,
    substitutions: sagaSubstitutions(arnOf),
    lambdaHandlers: Object.fromEntries(SAGA_FUNCTION_KEYS.map((key) => [arnOf(key), handlers[key]])),
  };
};
