import { rethrowTransient } from '#shared/adapters/dynamo-errors';
import { isTransientAwsError } from '#shared/aws/transient';

const sdkError = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${name} happened`), { name, ...extra });

describe('rethrowTransient', () => {
  it.each([
    ['throttling', sdkError('ThrottlingException')],
    ['a transaction conflict', sdkError('TransactionConflictException')],
    ['a timeout after the SDK retries', sdkError('TimeoutError')],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a 503 with no known name', sdkError('UnknownError', { $metadata: { httpStatusCode: 503 } })],
  ])('turns %s into TransientStoreError, which the saga retries', (_, error) => {
    // Act / Assert
    expect(() => rethrowTransient(error, 'reading order o1')).toThrow(
      expect.objectContaining({
        name: 'TransientStoreError',
        message: expect.stringContaining('reading order o1'),
      }),
    );
  });

  it('turns a transaction cancelled by a conflict into TransientStoreError, as when two copies of a step collide', () => {
    // Arrange: what DynamoDB answers the copy that loses; DynamoDB Local serialises transactions instead.
    const cancelled = sdkError('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
    });

    // Act / Assert
    expect(() => rethrowTransient(cancelled, 'releasing order o1')).toThrow(
      expect.objectContaining({
        name: 'TransientStoreError',
        message: 'releasing order o1: transaction cancelled [TransactionConflict,None]',
      }),
    );
  });

  it('rethrows a transaction cancelled only by its conditions as it is: the caller reads what won', () => {
    // Arrange
    const cancelled = sdkError('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
    });

    // Act / Assert
    expect(() => rethrowTransient(cancelled, 'releasing order o1')).toThrow(cancelled);
  });

  it.each([
    ['a validation error', sdkError('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['access denied', sdkError('AccessDeniedException', { $metadata: { httpStatusCode: 400 } })],
    ['a programming error', new TypeError('x is undefined')],
  ])('rethrows %s as it is: no retry cures it', (_, error) => {
    // Act / Assert
    expect(() => rethrowTransient(error, 'reading order o1')).toThrow(error);
  });
});

describe('isTransientAwsError', () => {
  it('reads the SDK retryable trait', () => {
    // Assert
    expect(isTransientAwsError(sdkError('SomethingNew', { $retryable: {} }))).toBe(true);
    expect(isTransientAwsError(sdkError('SomethingNew'))).toBe(false);
    expect(isTransientAwsError('a string')).toBe(false);
  });
});
