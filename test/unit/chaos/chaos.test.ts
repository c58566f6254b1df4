import { Chaos, type Invocation } from '../../../local/chaos/chaos';
import type { ApiCall } from '../../../local/chaos/faults';
import { errorResponse, orderKeyOf, splitBatch, withFailedEntries } from '../../../local/chaos/faults';

const call = (attempt: number, id: string, operation = 'GetItem', orderKey?: string): ApiCall => ({
  service: 'dynamodb',
  operation,
  attempt,
  invocationId: id,
  orderKey: () => orderKey,
});

const sagaTask = (workKey = 'o1'): Invocation => ({
  functionName: 'ChargePayment',
  trigger: 'saga-task',
  workKey,
});

describe('Chaos: AWS API faults', () => {
  it('keeps a fault within the SDK retries unless it surfaces it, at most once per order', () => {
    // Arrange: every first attempt faulted
    const chaos = new Chaos({ rate: 1, seed: 7 });
    const surfaced: string[] = [];

    // Act: 200 SDK calls about 20 orders, each attempted until the SDK would give up (3 attempts)
    for (let n = 0; n < 200; n += 1) {
      const id = `inv-${n}`;
      const faulted = [1, 2, 3].filter(
        (attempt) => chaos.gateway.decide(call(attempt, id, 'GetItem', `o${n % 20}`)) !== undefined,
      );
      if (faulted.length === 3) surfaced.push(`o${n % 20}`);
    }

    // Assert
    expect(surfaced.length).toBeGreaterThan(0);
    expect(new Set(surfaced).size).toBe(surfaced.length);
    expect(chaos.counts()['aws.fails-all-sdk-attempts']).toBe(surfaced.length);
  });

  it('injects the same faults in the same order for the same seed', () => {
    // Arrange
    const run = (seed: number) => {
      const chaos = new Chaos({ rate: 0.3, seed });
      return Array.from({ length: 100 }, (_, n) => chaos.gateway.decide(call(1, `i${n}`))?.kind ?? '-').join(
        ',',
      );
    };

    // Act / Assert
    expect(run(3)).toBe(run(3));
    expect(run(3)).not.toBe(run(4));
  });

  it('injects nothing while turned off, as while the checker reads', () => {
    // Arrange
    const chaos = new Chaos({ rate: 1, seed: 1 });
    chaos.enabled = false;

    // Act / Assert
    expect(chaos.gateway.decide(call(1, 'x'))).toBeUndefined();
    expect(chaos.lambdaFault(sagaTask())).toBeUndefined();
    expect(chaos.notificationDelivery('s3://b/k')).toBe('once');
  });

  it('never loses the answer to a ReceiveMessage, which would burn a receive unseen', () => {
    // Arrange
    const chaos = new Chaos({ rate: 1, seed: 5 });

    // Act
    const kinds = Array.from(
      { length: 300 },
      (_, n) =>
        chaos.gateway.decide({
          service: 'sqs',
          operation: 'ReceiveMessage',
          attempt: 1,
          invocationId: `r${n}`,
          orderKey: () => undefined,
        })?.kind,
    );

    // Assert
    expect(kinds).not.toContain('response-lost');
    expect(new Set(kinds)).toEqual(new Set(['throttle', 'server-error', 'connection-reset']));
  });
});

describe('Chaos: Lambda faults', () => {
  it('stops injecting into a piece of work after its streak cap, so its retries can succeed', () => {
    // Arrange
    const chaos = new Chaos({ rate: 1, seed: 2 });
    const task = sagaTask();

    // Act: every invocation fails; the stand-in reports each ending
    const faults = Array.from({ length: 5 }, () => {
      const fault = chaos.lambdaFault(task);
      chaos.invocationEnded(task, true);
      return fault?.kind;
    });

    // Assert: two injected, then none (a saga task has three infrastructure retries)
    expect(faults.slice(0, 2).every((kind) => kind !== undefined)).toBe(true);
    expect(faults.slice(2)).toEqual([undefined, undefined, undefined]);
  });

  it('injects nothing into a batch whose messages were received often already', () => {
    // Arrange
    const chaos = new Chaos({ rate: 1, seed: 2 });

    // Act / Assert
    expect(
      chaos.lambdaFault({
        functionName: 'p',
        trigger: 'sqs-batch',
        workKey: 'g',
        records: 3,
        receiveCount: 3,
      }),
    ).toBeUndefined();
    expect(
      chaos.lambdaFault({
        functionName: 'p',
        trigger: 'sqs-batch',
        workKey: 'g',
        records: 3,
        receiveCount: 1,
      }),
    ).toBeDefined();
  });

  it('hands no batch to a second invocation once its messages were received often already', () => {
    // Arrange
    const chaos = new Chaos({ rate: 1, seed: 2 });

    // Act / Assert
    expect(chaos.deliverTwice('orders.fifo: g', 3)).toBe(false);
    expect(chaos.deliverTwice('orders.fifo: g', 2)).toBe(true);
  });

  it('gives only saga tasks service errors and late answers, and only batches a crash in the middle', () => {
    // Arrange
    const kindsFor = (invocation: Invocation) => {
      const chaos = new Chaos({ rate: 1, seed: 11 });
      return new Set(
        Array.from({ length: 400 }, (_, n) => chaos.lambdaFault({ ...invocation, workKey: `w${n}` })?.kind),
      );
    };

    // Act
    const task = kindsFor(sagaTask());
    const batch = kindsFor({ functionName: 'p', trigger: 'sqs-batch', workKey: 'g', records: 10 });
    const async = kindsFor({ functionName: 'i', trigger: 'async', workKey: 'b/k' });

    // Assert
    expect(task).toEqual(new Set(['crash', 'crash-after-work', 'timeout', 'service-error', 'late-answer']));
    expect(batch).toEqual(new Set(['crash', 'crash-after-work', 'timeout', 'crash-mid-batch']));
    expect(async).toEqual(new Set(['crash', 'crash-after-work', 'timeout']));
  });
});

describe('faults as AWS answers them', () => {
  it("answers a throttle in each service's own protocol and code", () => {
    // Act
    const dynamo = errorResponse('dynamodb', { kind: 'throttle' });
    const s3 = errorResponse('s3', { kind: 'throttle' });
    const sqs = errorResponse('sqs', { kind: 'server-error', status: 503 });

    // Assert
    expect(dynamo).toMatchObject({ status: 400, body: expect.stringContaining('#ThrottlingException') });
    expect(s3).toMatchObject({ status: 503, body: expect.stringContaining('<Code>SlowDown</Code>') });
    expect(sqs).toMatchObject({
      status: 503,
      headers: { 'x-amzn-query-error': 'ServiceUnavailable;Receiver' },
    });
  });

  it('sends on only the entries a SendMessageBatch fault spares, and reports the rest as failed server faults', () => {
    // Arrange
    const body = Buffer.from(
      JSON.stringify({ QueueUrl: 'q', Entries: [{ Id: '0' }, { Id: '1' }, { Id: '2' }] }),
    );

    // Act
    const split = splitBatch(body, (ids) => ids.filter((id) => id !== '1'));
    const answer = JSON.parse(
      withFailedEntries(Buffer.from('{"Successful":[{"Id":"1"}]}'), split.failedIds).toString(),
    );

    // Assert
    expect(JSON.parse(split.forward?.toString() ?? '{}')).toEqual({ QueueUrl: 'q', Entries: [{ Id: '1' }] });
    expect(answer.Successful).toEqual([{ Id: '1' }]);
    expect(answer.Failed.map((f: { Id: string; SenderFault: boolean }) => [f.Id, f.SenderFault])).toEqual([
      ['0', false],
      ['2', false],
    ]);
  });

  it('names the order a DynamoDB key or an execution is about', () => {
    // Act / Assert
    expect(orderKeyOf('dynamodb', 'GetItem', Buffer.from('{"Key":{"orderId":{"S":"o-7"}}}'))).toBe('o-7');
    expect(orderKeyOf('dynamodb', 'UpdateItem', Buffer.from('{"Key":{"pk":{"S":"payment#o-8"}}}'))).toBe(
      'o-8',
    );
    expect(orderKeyOf('states', 'StartExecution', Buffer.from('{"name":"o-9"}'))).toBe('o-9');
    expect(orderKeyOf('dynamodb', 'Scan', Buffer.from('{"TableName":"t"}'))).toBeUndefined();
  });
});
