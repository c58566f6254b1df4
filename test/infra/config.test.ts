import { loadStageConfig } from '../../lib/config';

const fromContext =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('loadStageConfig', () => {
  it('defaults to the dev stage when the context names none', () => {
    // Arrange
    const context = fromContext({});

    // Act
    const config = loadStageConfig(context);

    // Assert
    expect(config.stage).toBe('dev');
  });

  it('logs execution data in dev and only errors without data in prod', () => {
    // Arrange / Act
    const dev = loadStageConfig(fromContext({ stage: 'dev' }));
    const prod = loadStageConfig(fromContext({ stage: 'prod' }));

    // Assert
    expect(dev.stateMachine).toEqual({ logLevel: 'ALL', includeExecutionData: true });
    expect(prod.stateMachine).toEqual({ logLevel: 'ERROR', includeExecutionData: false });
    expect(prod.tables.deletionProtection).toBe(true);
    expect(prod.logs.removal).toBe('retain');
  });

  it('keeps the queues when the prod stack is deleted and destroys them with the dev stack', () => {
    // Arrange / Act
    const dev = loadStageConfig(fromContext({ stage: 'dev' }));
    const prod = loadStageConfig(fromContext({ stage: 'prod' }));

    // Assert
    expect(dev.queues.removal).toBe('destroy');
    expect(prod.queues.removal).toBe('retain');
  });

  it('rejects a stage that is not dev or prod', () => {
    // Arrange
    const context = fromContext({ stage: 'staging' });

    // Act / Assert
    expect(() => loadStageConfig(context)).toThrow(/"stage" must be one of dev\|prod, got "staging"/);
  });

  it.each([1, 1001, 'many', 2.5])('rejects a process-order max concurrency of %p', (value) => {
    // Arrange
    const context = fromContext({ processOrderMaxConcurrency: value });

    // Act / Assert
    expect(() => loadStageConfig(context)).toThrow(/processOrder\.maxConcurrency/);
  });

  it('takes a max concurrency override given on the command line as a string', () => {
    // Arrange
    const context = fromContext({ stage: 'prod', processOrderMaxConcurrency: '1000' });

    // Act
    const config = loadStageConfig(context);

    // Assert
    expect(config.processOrder.maxConcurrency).toBe(1000);
  });

  it('rejects a log retention CloudWatch Logs does not offer', () => {
    // Arrange
    const context = fromContext({ logRetentionDays: '15' });

    // Act / Assert
    expect(() => loadStageConfig(context)).toThrow(/logs\.retentionDays/);
  });

  it('alarms on a 15-minute-old message on orders.fifo unless the context says otherwise', () => {
    // Arrange / Act
    const dev = loadStageConfig(fromContext({ stage: 'dev' }));
    const prod = loadStageConfig(fromContext({ stage: 'prod' }));
    const overridden = loadStageConfig(fromContext({ ordersOldestMessageAgeSeconds: '600' }));

    // Assert
    expect(dev.alarms.ordersOldestMessageAgeSeconds).toBe(900);
    expect(prod.alarms.ordersOldestMessageAgeSeconds).toBe(900);
    expect(overridden.alarms.ordersOldestMessageAgeSeconds).toBe(600);
  });
});
