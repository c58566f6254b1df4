import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { findOrdersNearRedriveLimit } from '../../../functions/saga/attention-age/near-redrive-limit';

const documentMock = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2026-12-20T12:00:00.000Z');

beforeAll(() => {
  process.env.ORDERS_TABLE = 'orders';
  process.env.ORDERS_BY_STATUS_INDEX = 'ByStatus';
});

beforeEach(() => documentMock.reset());

const deps = () => ({
  documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  ordersTable: 'orders',
  index: 'ByStatus',
  clock: { now: () => NOW },
  olderThanDays: 10,
});

describe('attention-age', () => {
  it('counts NEEDS_ATTENTION orders older than the cutoff from the ByStatus index, page by page', async () => {
    // Arrange: two pages
    documentMock
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ orderId: 'o1', updatedAt: '2026-12-01T00:00:00.000Z' }],
        LastEvaluatedKey: { orderId: 'o1' },
      })
      .resolvesOnce({ Items: [{ orderId: 'o2', updatedAt: '2026-12-09T00:00:00.000Z' }] });

    // Act
    const result = await findOrdersNearRedriveLimit(deps());

    // Assert
    expect(result).toEqual({
      count: 2,
      cutoff: '2026-12-10T12:00:00.000Z',
      oldest: [
        { orderId: 'o1', since: '2026-12-01T00:00:00.000Z' },
        { orderId: 'o2', since: '2026-12-09T00:00:00.000Z' },
      ],
    });
    const calls = documentMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(calls[0]).toMatchObject({
      TableName: 'orders',
      IndexName: 'ByStatus',
      KeyConditionExpression: '#status = :attention AND updatedAt <= :cutoff',
      ExpressionAttributeValues: { ':attention': 'NEEDS_ATTENTION', ':cutoff': '2026-12-10T12:00:00.000Z' },
    });
    expect(calls[1]?.ExclusiveStartKey).toEqual({ orderId: 'o1' });
  });

  it('publishes the count as OrdersNearRedriveLimit, 0 included, so its alarm always has data', async () => {
    // Arrange
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
      return this as never;
    });
    const { handler } = await import('../../../functions/saga/attention-age/handler');
    documentMock.on(QueryCommand).resolves({ Items: [] });

    // Act
    const result = await handler({} as ScheduledEvent);

    // Assert
    expect(result.count).toBe(0);
    expect(addMetric).toHaveBeenCalledWith('OrdersNearRedriveLimit', 'Count', 0);
  });
});
