import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import {
  putNewOrder,
  readOrder,
  readReservation,
  readStock,
  seedStock,
  uniqueSkuPrefix,
} from '../helpers/saga-items';
import { buildOrder, sagaInput } from '../helpers/saga-orders';
import { type SagaTables, type StepHandler, setUpSagaTables } from '../helpers/saga-tables';

const dynamodb = makeDynamoDbClient();
const documentClient = makeDocumentClient(dynamodb);
let tables: SagaTables;
let reserve: StepHandler;
let release: StepHandler;

beforeAll(async () => {
  tables = await setUpSagaTables(dynamodb);
  reserve = (await import('../../functions/saga/reserve-inventory/handler')).handler;
  release = (await import('../../functions/saga/release-inventory/handler')).handler;
});

afterAll(() => dynamodb.destroy());

/** An order of 2 × A and 1 × B on fresh skus, stocked as given, with its RECEIVED orders item. */
const prepare = async (stockA = 10, stockB = 10) => {
  const prefix = uniqueSkuPrefix();
  const [a, b] = [`${prefix}-A`, `${prefix}-B`];
  await seedStock(documentClient, tables, { [a]: stockA, [b]: stockB });
  const input = await putNewOrder(documentClient, tables, {
    items: [
      { sku: a, quantity: 2, unitPriceCents: 1_000 },
      { sku: b, quantity: 1, unitPriceCents: 500 },
    ],
  });
  return {
    input,
    orderId: input.order.orderId,
    a,
    b,
    stock: () => readStock(documentClient, tables, [a, b]),
  };
};

describe('reserve-inventory and release-inventory against DynamoDB Local', () => {
  it('reserves every line in one transaction and records RESERVED in the order history', async () => {
    // Arrange
    const { input, orderId, a, b, stock } = await prepare();

    // Act
    const summary = await reserve(input);

    // Assert
    expect(summary).toMatchObject({
      status: 'RESERVED',
      lines: [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ],
    });
    expect(await stock()).toEqual({ [a]: 8, [b]: 9 });
    expect(await readReservation(documentClient, tables, orderId)).toMatchObject({ status: 'RESERVED' });
    const order = await readOrder(documentClient, tables, orderId);
    expect(order?.status).toBe('RESERVED');
    expect(order?.history.map((entry) => entry.status)).toEqual(['RECEIVED', 'RESERVED']);
  });

  it('throws OutOfStock naming the short sku and changes no stock', async () => {
    // Arrange
    const { input, orderId, a, b, stock } = await prepare(10, 0);

    // Act
    const attempt = reserve(input);

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'OutOfStock',
      message: `sku ${b} is out of stock (requested 1, available 0)`,
    });
    expect(await stock()).toEqual({ [a]: 10, [b]: 0 });
    expect(await readReservation(documentClient, tables, orderId)).toBeUndefined();
    expect((await readOrder(documentClient, tables, orderId))?.status).toBe('RECEIVED');
  });

  it('throws UnknownSku for a sku the inventory does not hold and changes no stock', async () => {
    // Arrange
    const { a, stock } = await prepare();
    const input = sagaInput(
      buildOrder({
        items: [
          { sku: a, quantity: 1, unitPriceCents: 100 },
          { sku: `${a}-MISSING`, quantity: 1, unitPriceCents: 100 },
        ],
      }),
    );

    // Act
    const attempt = reserve(input);

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'UnknownSku',
      message: expect.stringContaining(`${a}-MISSING`),
    });
    expect((await stock())[a]).toBe(10);
  });

  it('keeps one reservation and decrements the stock once when the same order is reserved twice', async () => {
    // Arrange
    const { input, a, b, stock } = await prepare();
    const first = await reserve(input);

    // Act
    const second = await reserve(input);

    // Assert
    expect(second).toEqual(first);
    expect(await stock()).toEqual({ [a]: 8, [b]: 9 });
  });

  it('decrements the stock once when the same order is reserved twice at the same time', async () => {
    // Arrange
    const { input, orderId, a, b, stock } = await prepare();

    // Act
    const results = await Promise.allSettled([reserve(input), reserve(input)]);

    // Assert: each call either returns the one reservation or asks to be retried.
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ name: 'TransientStoreError' });
    }
    expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
    expect(await stock()).toEqual({ [a]: 8, [b]: 9 });
    expect(await readReservation(documentClient, tables, orderId)).toMatchObject({ status: 'RESERVED' });
  });

  it('gives the stock back once when released twice', async () => {
    // Arrange
    const { input, orderId, a, b, stock } = await prepare();
    await reserve(input);

    // Act
    const first = await release(input);
    const second = await release(input);

    // Assert
    expect(first).toMatchObject({ outcome: 'RELEASED' });
    expect(second).toMatchObject({ outcome: 'ALREADY_RELEASED' });
    expect(await stock()).toEqual({ [a]: 10, [b]: 10 });
    expect(await readReservation(documentClient, tables, orderId)).toMatchObject({
      status: 'RELEASED',
      releasedAt: expect.any(String),
    });
  });

  it('releases nothing for an order that reserved nothing, and leaves a released marker', async () => {
    // Arrange
    const { input, orderId, a, b, stock } = await prepare();

    // Act
    const result = await release(input);

    // Assert
    expect(result).toEqual({ outcome: 'NOTHING_TO_RELEASE', lines: [] });
    expect(await stock()).toEqual({ [a]: 10, [b]: 10 });
    expect(await readReservation(documentClient, tables, orderId)).toEqual({
      orderId,
      status: 'RELEASED',
      lines: [],
      releasedAt: expect.any(String),
    });
  });

  it('reserves nothing when the reservation arrives after the order was released', async () => {
    // Arrange: the compensation ran while the reserve transaction was still in flight.
    const { input, orderId, a, b, stock } = await prepare();
    await release(input);

    // Act
    const late = reserve(input);

    // Assert
    await expect(late).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(await stock()).toEqual({ [a]: 10, [b]: 10 });
    expect(await readReservation(documentClient, tables, orderId)).toMatchObject({
      status: 'RELEASED',
      lines: [],
    });
    expect((await readOrder(documentClient, tables, orderId))?.status).toBe('RECEIVED');
  });

  it('releases a reservation that lands while the release marker is being written', async () => {
    // Arrange: two releases race a reservation; whichever order they land in, the stock comes back.
    const { input, a, b, stock } = await prepare();

    // Act
    await Promise.allSettled([reserve(input), release(input)]);
    await release(input);

    // Assert
    expect(await stock()).toEqual({ [a]: 10, [b]: 10 });
  });

  it('never reserves again for an order whose reservation was released', async () => {
    // Arrange
    const { input, a, b, stock } = await prepare();
    await reserve(input);
    await release(input);

    // Act
    const attempt = reserve(input);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'ReservationReleased' });
    expect(await stock()).toEqual({ [a]: 10, [b]: 10 });
  });

  it('conserves stock when many orders compete for it and are then released', async () => {
    // Arrange: eight orders of 3 units each compete for 10 units of one sku.
    const sku = `${uniqueSkuPrefix()}-HOT`;
    await seedStock(documentClient, tables, { [sku]: 10 });
    const inputs = Array.from({ length: 8 }, () =>
      sagaInput(buildOrder({ items: [{ sku, quantity: 3, unitPriceCents: 100 }] })),
    );

    // Act: retry transient conflicts, as the state machine would.
    const outcomes = await Promise.all(
      inputs.map(async (input) => {
        for (let attempt = 1; attempt <= 20; attempt += 1) {
          try {
            await reserve(input);
            return 'reserved';
          } catch (error) {
            if ((error as Error).name !== 'TransientStoreError') return (error as Error).name;
          }
        }
        return 'still conflicting after 20 attempts';
      }),
    );
    const reservedCount = outcomes.filter((outcome) => outcome === 'reserved').length;
    const available = (await readStock(documentClient, tables, [sku]))[sku];
    await Promise.all(inputs.map((input) => release(input)));

    // Assert
    expect(reservedCount).toBe(3);
    expect(outcomes.filter((outcome) => outcome === 'OutOfStock')).toHaveLength(5);
    expect(available).toBe(10 - 3 * reservedCount);
    expect((await readStock(documentClient, tables, [sku]))[sku]).toBe(10);
  });
});
