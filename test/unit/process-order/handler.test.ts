const required = {
  ORDERS_TABLE: 'orders',
  IDEMPOTENCY_TABLE: 'idempotency',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderSaga',
  ORDERS_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq.fifo',
};

const loadHandler = (environment: Record<string, string | undefined>): unknown => {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_REGION: 'us-east-1', POWERTOOLS_TRACE_ENABLED: 'false' }, environment);
  for (const [name, value] of Object.entries(environment)) if (value === undefined) delete process.env[name];
  try {
    let loaded: unknown;
    jest.isolateModules(() => {
      loaded = require('../../../functions/process-order/handler');
    });
    return loaded;
  } finally {
    process.env = saved;
  }
};

describe('process-order handler module', () => {
  it('exports a handler when every variable is set', () => {
    // Arrange
    const environment = { ...required };

    // Act
    const loaded = loadHandler(environment) as { handler?: unknown };

    // Assert
    expect(typeof loaded.handler).toBe('function');
  });

  it.each(Object.keys(required))('fails at cold start when %s is missing', (name) => {
    // Arrange
    const environment = { ...required, [name]: undefined };

    // Act
    const load = () => loadHandler(environment);

    // Assert
    expect(load).toThrow(name);
  });

  it('refuses an idempotency expiry too short to cover a redelivery', () => {
    // Arrange
    const environment = { ...required, IDEMPOTENCY_EXPIRES_AFTER_SECONDS: '5' };

    // Act
    const load = () => loadHandler(environment);

    // Assert
    expect(load).toThrow('IDEMPOTENCY_EXPIRES_AFTER_SECONDS');
  });
});
