import { InvalidArgumentError } from 'commander';
import { matches } from '../../../cli/dlq/dlq';
import { summarizeHistory } from '../../../cli/order/order';
import { EXIT, explain, UsageError } from '../../../cli/shared/errors';
import { port, positiveInteger, sinceTime } from '../../../cli/shared/numbers';
import type { QueueMessage } from '../../../cli/shared/queue-messages';
import { checkKey, partSizeFor } from '../../../cli/upload/upload';

const MIB = 1024 * 1024;

describe('CLI option parsing', () => {
  it('takes ports 1–65535 as whole numbers and refuses 0, 70000, 4566.5 and words', () => {
    // Act / Assert
    expect([port('1'), port('4566'), port('65535')]).toEqual([1, 4566, 65535]);
    for (const bad of ['0', '70000', '4566.5', 'abc', '', '-1', '1e3']) {
      expect(() => port(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('takes counts as whole numbers ≥ 1', () => {
    // Act / Assert
    expect(positiveInteger('10')).toBe(10);
    for (const bad of ['0', '1.5', '-3', 'x'])
      expect(() => positiveInteger(bad)).toThrow(InvalidArgumentError);
  });

  it('reads --since as ISO 8601 or as a duration back from now', () => {
    // Arrange
    const now = new Date('2026-11-30T12:00:00.000Z');

    // Act / Assert
    expect(sinceTime('15m', now)).toBe('2026-11-30T11:45:00.000Z');
    expect(sinceTime('2d', now)).toBe('2026-11-28T12:00:00.000Z');
    expect(sinceTime('2026-11-30T10:00:00Z', now)).toBe('2026-11-30T10:00:00.000Z');
    expect(() => sinceTime('yesterday', now)).toThrow(InvalidArgumentError);
  });
});

describe('upload', () => {
  it('chooses a part size that fits S3’s 10,000 parts, at least 5 MiB', () => {
    // Act / Assert
    expect(partSizeFor(1_000)).toBe(5 * MIB);
    expect(partSizeFor(48 * 1024 * MIB)).toBe(5 * MIB);
    expect(partSizeFor(100 * 1024 * MIB)).toBe(11 * MIB);
    expect(Math.ceil((5 * 1024 * 1024 * MIB) / partSizeFor(5 * 1024 * 1024 * MIB))).toBeLessThanOrEqual(
      10_000,
    );
  });

  it('refuses a key outside incoming/ and an extension ingest does not read, unless forced', () => {
    // Act / Assert
    expect(() => checkKey('incoming/orders.jsonl', false)).not.toThrow();
    expect(() => checkKey('orders.jsonl', false)).toThrow(/outside incoming\/: ingest would never read it/);
    expect(() => checkKey('incoming/orders.txt', false)).toThrow(/unsupported file type/);
    expect(() => checkKey('orders.txt', true)).not.toThrow();
  });
});

describe('errors', () => {
  it('turns the failures a user meets into one line with its exit code', () => {
    // Arrange
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.csv'"), {
      code: 'ENOENT',
      path: 'x.csv',
    });
    const refused = new Error('connect failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }),
    });
    const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });

    // Act / Assert
    expect(explain(enoent)).toEqual({ line: 'x.csv: no such file', exitCode: EXIT.usage });
    expect(explain(refused, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })?.exitCode).toBe(EXIT.unreachable);
    expect(explain(refused, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })?.line).toContain(
      'npx orderflow local up',
    );
    expect(explain(denied)).toEqual({
      line: 'AWS AccessDeniedException (HTTP 400): User is not authorized to perform: dynamodb:GetItem',
      exitCode: EXIT.aws,
    });
    expect(explain(new UsageError('bad'))).toEqual({ line: 'bad', exitCode: EXIT.usage });
    expect(explain(new TypeError('a bug'))).toBeUndefined();
  });
});

describe('dlq filters and order history', () => {
  it('matches a message by order and by error text, case-insensitively', () => {
    // Arrange
    const message: QueueMessage = {
      messageId: 'm-1',
      body: '{}',
      groupId: 'ord-1',
      receiveCount: 1,
      attributes: { errorType: 'ConflictingDuplicate', errorReason: 'order ord-1 was already received' },
    };

    // Act / Assert
    expect(matches(message, {})).toBe(true);
    expect(matches(message, { orderId: 'ord-1', error: 'conflicting' })).toBe(true);
    expect(matches(message, { orderId: 'ord-2' })).toBe(false);
    expect(matches(message, { error: 'OutOfStock' })).toBe(false);
  });

  it('summarizes an execution history: states entered, errors with their state, redrives', () => {
    // Act
    const summary = summarizeHistory([
      {
        timestamp: new Date(),
        type: 'TaskStateEntered',
        id: 1,
        stateEnteredEventDetails: { name: 'ChargePayment' },
      },
      {
        timestamp: new Date(),
        type: 'TaskFailed',
        id: 2,
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'PaymentError',
          cause: 'declined',
        },
      },
      { timestamp: new Date(), type: 'ExecutionRedriven', id: 3 },
      {
        timestamp: new Date(),
        type: 'TaskStateEntered',
        id: 4,
        stateEnteredEventDetails: { name: 'ChargePayment' },
      },
    ]);

    // Assert
    expect(summary).toEqual({
      statesEntered: ['ChargePayment', 'ChargePayment'],
      errors: [{ state: 'ChargePayment', error: 'PaymentError', cause: 'declined' }],
      redrives: 1,
    });
  });
});
