import type { LocalFunction } from '../../../local/derive/types';
import { AsyncInvoker } from '../../../local/lambda/async-invoke';
import { Invoker } from '../../../local/lambda/invoker';
import { type Handler, inProcessFunction, type LoadedFunction } from '../../../local/lambda/load';

const spec = (asyncInvoke: LocalFunction['asyncInvoke']): LocalFunction => ({
  stackName: 's',
  logicalId: 'Fn',
  name: 'fn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
  entry: 'functions/x/handler.ts',
  handlerExport: 'handler',
  timeoutSeconds: 1,
  memoryMb: 128,
  environment: {},
  asyncInvoke,
});

const loaded = (fn: LocalFunction, handler: Handler): LoadedFunction =>
  inProcessFunction(fn, handler, { functionName: fn.name, env: {}, hidden: new Set(), log: () => undefined });

const settled = async (invoker: AsyncInvoker): Promise<void> => {
  const deadline = Date.now() + 2_000;
  while (invoker.pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('AsyncInvoker (Lambda asynchronous invocation)', () => {
  it('retries a failing event, then sends a destination record to the on-failure destination', async () => {
    // Arrange
    let attempts = 0;
    const fn = loaded(
      spec({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600, onFailureArn: 'arn:q' }),
      () => {
        attempts += 1;
        throw Object.assign(new Error('bucket gone'), { name: 'NoSuchBucket' });
      },
    );
    const sent: { arn: string; record: string }[] = [];
    const invoker = new AsyncInvoker(
      new Invoker([fn]),
      async (arn, record) => {
        sent.push({ arn, record });
      },
      0.0001,
    );

    // Act
    invoker.invokeAsync(fn, { Records: ['s3 event'] });
    await settled(invoker);

    // Assert
    expect(attempts).toBe(3);
    expect(sent.map((s) => s.arn)).toEqual(['arn:q']);
    expect(JSON.parse(sent[0]?.record ?? '{}')).toMatchObject({
      requestContext: {
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        functionArn: `${fn.spec.arn}:$LATEST`,
      },
      requestPayload: { Records: ['s3 event'] },
      responsePayload: { errorType: 'NoSuchBucket', errorMessage: 'bucket gone' },
    });
    expect(invoker.failures).toEqual([
      expect.objectContaining({ functionName: 'fn', destination: 'arn:q', attempts: 3 }),
    ]);
  });

  it('records an event it had to drop when the function has no on-failure destination', async () => {
    // Arrange
    const fn = loaded(spec({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 }), () => {
      throw new Error('boom');
    });
    const invoker = new AsyncInvoker(new Invoker([fn]), async () => undefined, 0.0001);

    // Act
    invoker.invokeAsync(fn, {});
    await settled(invoker);

    // Assert
    expect(invoker.failures).toEqual([expect.objectContaining({ attempts: 1, errorMessage: 'boom' })]);
    expect(invoker.failures[0]?.destination).toBeUndefined();
  });

  it('fails an invocation that runs past the function timeout with Sandbox.Timedout', async () => {
    // Arrange
    const fn = loaded(
      { ...spec({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 }), timeoutSeconds: 0.02 },
      () => new Promise((resolve) => setTimeout(resolve, 200)),
    );
    const invoker = new Invoker([fn]);

    // Act / Assert
    await expect(invoker.invoke(fn, {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(invoker.stats().get('fn')).toMatchObject({ invocations: 1, errors: 1 });
  });

  it("adds up each invocation's duration, billed by the millisecond rounded up, as Lambda bills it", async () => {
    // Arrange
    const fn = loaded(
      spec({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 }),
      () => new Promise((resolve) => setTimeout(resolve, 30)),
    );
    const invoker = new Invoker([fn]);

    // Act
    await invoker.invoke(fn, {});
    await invoker.invoke(fn, {});

    // Assert
    const stats = invoker.stats().get('fn');
    expect(stats?.invocations).toBe(2);
    expect(stats?.durationMs).toBeGreaterThanOrEqual(55);
    expect(stats?.billedMs).toBeGreaterThanOrEqual(Math.ceil(stats?.durationMs ?? 0));
    expect(stats?.billedMs).toBeLessThanOrEqual(Math.ceil(stats?.durationMs ?? 0) + 2);
  });
});
