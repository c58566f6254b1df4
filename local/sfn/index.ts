export { SfnApiError } from './errors';
export { startLocalStepFunctions } from './server';
export { statusChangeEvent } from './status-events';
export type {
  ExecutionDescription,
  ExecutionStatus,
  ExecutionStatusChangeDetail,
  ExecutionStatusChangeEvent,
  LambdaHandler,
  LocalStateMachine,
  LocalStepFunctions,
  LocalStepFunctionsLogger,
  LocalStepFunctionsOptions,
} from './types';
