import { deriveTopology, type LocalScope, type LocalTopology, synthesizeApp } from '../../../local/topology';

const scope: LocalScope = {
  region: 'us-east-1',
  accountId: '000000000000',
  queueUrl: (name) => `http://sqs.local/000000000000/${name}`,
};

const derive = (context?: Record<string, unknown>): LocalTopology =>
  deriveTopology(synthesizeApp(context ? { context } : {}), scope);

const fnByEntry = (topology: LocalTopology, entry: string) => {
  const fn = topology.functions.find((candidate) => candidate.entry === entry);
  if (!fn) throw new Error(`no function for ${entry}`);
  return fn;
};

describe('local topology of the orderflow app', () => {
  const topology = derive();
  const ordersQueue = topology.queues.find((queue) => queue.fifo && queue.redrive !== undefined);
  const ingest = fnByEntry(topology, 'functions/ingest/handler.ts');
  const processOrder = fnByEntry(topology, 'functions/process-order/handler.ts');

  it('notifies the ingest function of objects created under incoming/ in the ingest bucket', () => {
    // Act
    const notified = topology.buckets.filter((bucket) => bucket.notifications.length > 0);

    // Assert
    expect(notified).toHaveLength(1);
    expect(notified[0]?.notifications).toEqual([
      expect.objectContaining({
        events: ['s3:ObjectCreated:*'],
        prefix: 'incoming/',
        target: { kind: 'function', arn: ingest.arn },
      }),
    ]);
  });

  it('creates orders.fifo with its visibility timeout and a redrive policy naming the FIFO DLQ', () => {
    // Arrange
    const dlq = topology.queues.find((queue) => queue.arn === ordersQueue?.redrive?.deadLetterTargetArn);

    // Assert
    expect(ordersQueue).toMatchObject({
      fifo: true,
      visibilityTimeoutSeconds: 180,
      redrive: { maxReceiveCount: 5 },
    });
    expect(ordersQueue?.name.endsWith('.fifo')).toBe(true);
    expect(JSON.parse(ordersQueue?.attributes.RedrivePolicy ?? '{}')).toEqual(ordersQueue?.redrive);
    expect(dlq).toMatchObject({ fifo: true });
  });

  it('gives every table its key, and the idempotency table its TTL attribute', () => {
    // Act
    const keys = Object.fromEntries(
      topology.tables.map((table) => [table.logicalId.replace(/^Tables|[0-9A-F]{8}$/g, ''), table.keySchema]),
    );
    const ttl = topology.tables.filter((table) => table.ttlAttribute).map((table) => table.ttlAttribute);

    // Assert
    expect(keys).toMatchObject({
      Orders: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      Inventory: [{ AttributeName: 'sku', KeyType: 'HASH' }],
      Idempotency: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    expect(ttl).toEqual(['expiration']);
  });

  it('resolves function environments to local names, reading the stateful stack through its SSM parameters', () => {
    // Arrange
    const idempotency = topology.tables.find((table) => table.logicalId.startsWith('TablesIdempotency'));
    const dlq = topology.queues.find((queue) => queue.arn === ordersQueue?.redrive?.deadLetterTargetArn);

    // Assert
    expect(ingest.environment).toMatchObject({
      ORDERS_QUEUE_URL: ordersQueue?.url,
      IDEMPOTENCY_TABLE: idempotency?.name,
      POWERTOOLS_SERVICE_NAME: 'ingest',
    });
    expect(processOrder.environment).toMatchObject({
      STATE_MACHINE_ARN: topology.stateMachines[0]?.arn,
      ORDERS_DLQ_URL: dlq?.url,
    });
    expect(ingest.asyncInvoke.onFailureArn).toMatch(/^arn:aws:sqs:us-east-1:000000000000:/);
    expect(ingest.timeoutSeconds).toBe(300);
  });

  it('maps orders.fifo to process-order with batches of 10, partial batch responses and capped concurrency', () => {
    // Assert
    expect(
      topology.eventSourceMappings.filter((mapping) => mapping.functionArn === processOrder.arn),
    ).toEqual([
      expect.objectContaining({
        queueArn: ordersQueue?.arn,
        functionArn: processOrder.arn,
        batchSize: 10,
        reportBatchItemFailures: true,
        maximumConcurrency: 10,
      }),
    ]);
  });

  it('maps the continuation queue, a standard queue redriving to the ingest-failures queue, to ingest one message at a time', () => {
    // Arrange
    const mapping = topology.eventSourceMappings.find((candidate) => candidate.functionArn === ingest.arn);
    const queue = topology.queues.find((candidate) => candidate.arn === mapping?.queueArn);

    // Assert
    expect(mapping).toMatchObject({ batchSize: 1, reportBatchItemFailures: true });
    expect(queue).toMatchObject({
      fifo: false,
      visibilityTimeoutSeconds: 1800,
      redrive: { maxReceiveCount: 3 },
    });
    expect(ingest.environment.INGEST_CONTINUATION_QUEUE_URL).toBe(scope.queueUrl(queue?.name ?? ''));
  });

  it('substitutes a local function ARN for every function placeholder of the saga definition', () => {
    // Arrange
    const [saga] = topology.stateMachines;
    const placeholders = [...(saga?.definition ?? '').matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]);
    const arns = new Set(topology.functions.map((fn) => fn.arn));
    const { LambdaInvokeArn: lambdaInvoke, ...functionArns } = saga?.substitutions ?? {};

    // Assert
    expect(placeholders).toContain('ReserveInventoryFunctionArn');
    expect(Object.keys(saga?.substitutions ?? {}).sort()).toEqual([...new Set(placeholders)].sort());
    expect(Object.keys(functionArns)).toHaveLength(9);
    for (const arn of Object.values(functionArns)) expect(arns.has(arn)).toBe(true);
    // AWS::Partition resolves to aws locally.
    expect(lambdaInvoke).toBe('arn:aws:states:::lambda:invoke');
  });

  it('routes failed, timed-out and aborted executions of the saga to execution-ended', () => {
    // Arrange
    const executionEnded = fnByEntry(topology, 'functions/saga/execution-ended/handler.ts');

    // Assert
    expect(topology.eventRules).toEqual([
      expect.objectContaining({
        pattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: {
            status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
            stateMachineArn: [topology.stateMachines[0]?.arn],
          },
        },
        targets: [expect.objectContaining({ arn: executionEnded.arn, kind: 'function' })],
      }),
    ]);
  });

  it('follows the CDK configuration: another maxReceiveCount and concurrency change the local redrive and pollers', () => {
    // Act
    const changed = derive({ ordersMaxReceiveCount: 3, processOrderMaxConcurrency: 4 });

    // Assert
    const changedProcessOrder = fnByEntry(changed, 'functions/process-order/handler.ts');
    expect(changed.queues.find((queue) => queue.fifo && queue.redrive)?.redrive?.maxReceiveCount).toBe(3);
    expect(
      changed.eventSourceMappings.find((mapping) => mapping.functionArn === changedProcessOrder.arn)
        ?.maximumConcurrency,
    ).toBe(4);
  });
});
