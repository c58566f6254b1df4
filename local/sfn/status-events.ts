import { randomUUID } from 'node:crypto';
import type { AccountScope } from './arns';
import type {
  ExecutionDescription,
  ExecutionStatusChangeEvent,
  LocalStepFunctionsLogger,
  LocalStepFunctionsOptions,
} from './types';

/** The event EventBridge receives from Step Functions when an execution starts or ends. */
export const statusChangeEvent = (
  execution: ExecutionDescription,
  scope: AccountScope,
): ExecutionStatusChangeEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: scope.accountId,
  time: new Date().toISOString(),
  region: scope.region,
  resources: [execution.executionArn],
  detail: {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.getTime(),
    stopDate: execution.stopDate?.getTime() ?? null,
    input: execution.input,
    inputDetails: { included: true },
    output: execution.output ?? null,
    outputDetails: execution.output === undefined ? null : { included: true },
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate?.getTime() ?? null,
    redriveStatus: execution.redriveStatus,
    redriveStatusReason: execution.redriveStatusReason ?? null,
  },
});

export type StatusNotifier = (execution: ExecutionDescription) => Promise<void>;

/** Delivers status changes to the caller's listener; a listener that throws is logged, never rethrown. */
export const makeStatusNotifier = (
  listener: LocalStepFunctionsOptions['onExecutionStatusChange'],
  scope: AccountScope,
  logger: LocalStepFunctionsLogger,
): StatusNotifier => {
  return async (execution) => {
    if (!listener) return;
    const event = statusChangeEvent(execution, scope);
    try {
      await listener(event);
    } catch (error) {
      logger.error(
        `local Step Functions: the status change listener failed for ${execution.executionArn} (${execution.status})`,
        error,
      );
    }
  };
};
