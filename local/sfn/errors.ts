/** Error codes the SDK maps to its exception classes (`__type` in a JSON 1.0 error body). */
export type SfnErrorType =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'StateMachineDoesNotExist'
  | 'InvalidName'
  | 'InvalidExecutionInput'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidToken'
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'SerializationException';

/** A client error the API answers with HTTP 400 and `{"__type": type, "message": message}`. */
export class SfnApiError extends Error {
  readonly type: SfnErrorType;

  constructor(type: SfnErrorType, message: string) {
    super(message);
    this.name = 'SfnApiError';
    this.type = type;
  }
}
