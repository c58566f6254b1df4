import {
  canonicalize,
  contentHash,
  ORDER_LIMITS,
  type OrderPlacedInput,
  validateOrder,
} from '#shared/schemas/order-placed';
import { anOrder } from '../../helpers/orders';

const reasonsOf = (value: unknown): string[] => {
  const result = validateOrder(value);
  if (result.ok) throw new Error('expected the order to be invalid');
  return result.reasons;
};

const items = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ sku: `SKU-${index}`, quantity: 1, unitPriceCents: 100 }));

describe('validateOrder', () => {
  it('accepts a valid order and returns its canonical form', () => {
    // Arrange
    const order = anOrder();

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(JSON.parse(result.canonical)).toEqual({
        ...order,
        items: [...order.items].sort((a, b) => a.sku.localeCompare(b.sku)),
      });
    }
  });

  it('defaults a missing schemaVersion to 1', () => {
    // Arrange
    const { schemaVersion: _omitted, ...order } = anOrder();

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok && result.order.schemaVersion).toBe(1);
  });

  it.each<[string, Partial<OrderPlacedInput> | Record<string, unknown>, string]>([
    ['an unknown schemaVersion', { schemaVersion: 2 }, 'schemaVersion'],
    ['an orderId with a space', { orderId: 'ord 1' }, 'orderId must match'],
    ['an orderId with a slash', { orderId: 'ord/1' }, 'orderId must match'],
    ['an orderId longer than 64 characters', { orderId: 'a'.repeat(65) }, 'orderId must match'],
    ['an empty orderId', { orderId: '' }, 'orderId must match'],
    ['a blank customerId', { customerId: '   ' }, 'customerId'],
    ['a lower-case currency', { currency: 'eur' }, 'currency must be an ISO 4217 code'],
    ['no items', { items: [], totalCents: 0 }, 'an order needs at least one item'],
    [
      'a fractional quantity',
      { items: [{ sku: 'A-1', quantity: 1.5, unitPriceCents: 100 }], totalCents: 150 },
      'items[0].quantity',
    ],
    [
      'a zero quantity',
      { items: [{ sku: 'A-1', quantity: 0, unitPriceCents: 100 }], totalCents: 0 },
      'items[0].quantity',
    ],
    [
      'a negative price',
      { items: [{ sku: 'A-1', quantity: 1, unitPriceCents: -1 }], totalCents: -1 },
      'items[0].unitPriceCents',
    ],
    [
      'a price in decimal units',
      { items: [{ sku: 'A-1', quantity: 1, unitPriceCents: 9.99 }], totalCents: 9.99 },
      'items[0].unitPriceCents',
    ],
    [
      'a price over the limit',
      {
        items: [{ sku: 'A-1', quantity: 1, unitPriceCents: ORDER_LIMITS.maxUnitPriceCents + 1 }],
        totalCents: ORDER_LIMITS.maxUnitPriceCents + 1,
      },
      'items[0].unitPriceCents',
    ],
    [
      'a sku with a space',
      { items: [{ sku: 'A 1', quantity: 1, unitPriceCents: 100 }], totalCents: 100 },
      'sku must be',
    ],
    ['a missing payment token', { payment: {} }, 'payment.token'],
    ['a three-letter country', { shipTo: { country: 'DEU', postalCode: '10115' } }, 'shipTo.country'],
    [
      'a postal code longer than 16 characters',
      { shipTo: { country: 'DE', postalCode: '1'.repeat(17) } },
      'shipTo.postalCode',
    ],
    ['placedAt without a time', { placedAt: '2026-11-20' }, 'placedAt'],
    ['placedAt that is not a date', { placedAt: 'yesterday' }, 'placedAt'],
    [
      'a totalCents that is not the sum of the items',
      { totalCents: 1 },
      'totalCents is 1 but the items add up to 11597',
    ],
    ['a string totalCents', { totalCents: '11597' }, 'totalCents'],
  ])('rejects %s', (_name, overrides, expected) => {
    // Arrange
    const order = { ...anOrder(), ...overrides };

    // Act
    const reasons = reasonsOf(order);

    // Assert
    expect(reasons.join('\n')).toContain(expected);
  });

  it('rejects a value that is not an object', () => {
    // Arrange / Act
    const reasons = reasonsOf(42);

    // Assert
    expect(reasons).toHaveLength(1);
  });

  it('reports every reason, not only the first, and keeps the orderId', () => {
    // Arrange
    const order = { ...anOrder({ orderId: 'ord-77' }), currency: 'euro', placedAt: 'soon', totalCents: 5 };

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.orderId).toBe('ord-77');
      expect(result.reasons.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('merges repeated lines of one sku into one line', () => {
    // Arrange
    const order = anOrder({
      items: [
        { sku: 'B-2', quantity: 1, unitPriceCents: 500 },
        { sku: 'A-1', quantity: 2, unitPriceCents: 100 },
        { sku: 'B-2', quantity: 3, unitPriceCents: 500 },
      ],
    });

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok && result.order.items).toEqual([
      { sku: 'A-1', quantity: 2, unitPriceCents: 100 },
      { sku: 'B-2', quantity: 4, unitPriceCents: 500 },
    ]);
  });

  it('rejects one sku at two different unit prices', () => {
    // Arrange
    const order = anOrder({
      items: [
        { sku: 'A-1', quantity: 1, unitPriceCents: 100 },
        { sku: 'A-1', quantity: 1, unitPriceCents: 120 },
      ],
    });

    // Act
    const reasons = reasonsOf(order);

    // Assert
    expect(reasons.join('\n')).toContain('sku A-1 appears with two unit prices (100 and 120)');
  });

  it('rejects repeated lines whose merged quantity exceeds the per-sku limit', () => {
    // Arrange
    const half = ORDER_LIMITS.maxQuantityPerSku / 2 + 1;
    const order = anOrder({
      items: [
        { sku: 'A-1', quantity: half, unitPriceCents: 1 },
        { sku: 'A-1', quantity: half, unitPriceCents: 1 },
      ],
    });

    // Act
    const reasons = reasonsOf(order);

    // Assert
    expect(reasons.join('\n')).toContain(`more than ${ORDER_LIMITS.maxQuantityPerSku}`);
  });

  it('accepts 99 distinct skus', () => {
    // Arrange
    const order = anOrder({ items: items(ORDER_LIMITS.maxDistinctSkus) });

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok).toBe(true);
  });

  it('rejects 100 distinct skus, which would not fit one DynamoDB transaction', () => {
    // Arrange
    const order = anOrder({ items: items(ORDER_LIMITS.maxDistinctSkus + 1) });

    // Act
    const reasons = reasonsOf(order);

    // Assert
    expect(reasons.join('\n')).toContain('at most 99 distinct skus, got 100');
  });

  it('counts distinct skus after merging, so 100 lines of 99 skus pass', () => {
    // Arrange
    const lines = [
      ...items(ORDER_LIMITS.maxDistinctSkus),
      { sku: 'SKU-0', quantity: 1, unitPriceCents: 100 },
    ];
    const order = anOrder({ items: lines });

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok && result.order.items).toHaveLength(ORDER_LIMITS.maxDistinctSkus);
  });

  it('keeps the largest order the field limits allow under the serialized size limit', () => {
    // Arrange: every field at its maximum length, 99 skus of 64 characters, 4-byte characters where allowed.
    const order = anOrder({
      orderId: 'o'.repeat(64),
      customerId: '\u{1F600}'.repeat(64),
      items: Array.from({ length: ORDER_LIMITS.maxDistinctSkus }, (_, index) => ({
        sku: `${'S'.repeat(62)}${String(index).padStart(2, '0')}`,
        quantity: ORDER_LIMITS.maxQuantityPerSku,
        unitPriceCents: ORDER_LIMITS.maxUnitPriceCents,
      })),
      payment: { token: '\u{1F600}'.repeat(64) },
      shipTo: { country: 'DE', postalCode: '9'.repeat(16) },
    });

    // Act
    const result = validateOrder(order);

    // Assert: the byte guard in validateOrder is a backstop for future fields, not a reachable rule today.
    expect(result.ok).toBe(true);
    if (result.ok) expect(Buffer.byteLength(result.canonical)).toBeLessThan(ORDER_LIMITS.maxRecordBytes / 4);
  });

  it('rejects a field the contract does not name, at any level, rather than dropping it', () => {
    // Arrange
    const order = {
      ...anOrder(),
      notes: 'n',
      shipTo: { country: 'DE', postalCode: '10115', floor: 3 },
      items: [{ sku: 'KB-MECH-87', quantity: 1, unitPriceCents: 8_999, giftWrap: true }],
      totalCents: 8_999,
    };

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reasons).toEqual(
        expect.arrayContaining([
          'Unrecognized key: "notes"',
          'shipTo: Unrecognized key: "floor"',
          'items[0]: Unrecognized key: "giftWrap"',
        ]),
      );
    }
  });

  it('rejects __proto__ and constructor keys as unknown fields without touching any prototype', () => {
    // Arrange
    const value: unknown = JSON.parse(
      `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},${JSON.stringify(anOrder()).slice(1)}`,
    );

    // Act
    const result = validateOrder(value);

    // Assert
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reasons).toEqual(['Unrecognized keys: "__proto__", "constructor"']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a placedAt with more fraction digits than 40 characters hold', () => {
    // Arrange
    const order = anOrder({ placedAt: `2026-11-20T09:15:00.${'1'.repeat(30)}+01:00` });

    // Act
    const result = validateOrder(order);

    // Assert
    expect(result.ok).toBe(false);
  });
});

describe('canonicalize and contentHash', () => {
  it('gives equal hashes for orders that differ only in key and item order', () => {
    // Arrange
    const first = validateOrder(anOrder());
    const { placedAt, shipTo, items: lines, ...rest } = anOrder();
    const shuffled = {
      placedAt,
      shipTo: { postalCode: shipTo.postalCode, country: shipTo.country },
      items: [...lines].reverse(),
      ...rest,
    };

    // Act
    const second = validateOrder(shuffled);

    // Assert
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) {
      expect(contentHash(second.canonical)).toBe(contentHash(first.canonical));
      expect(canonicalize(second.order)).toBe(first.canonical);
    }
  });

  it('gives different hashes for different content', () => {
    // Arrange
    const a = validateOrder(anOrder());
    const b = validateOrder(anOrder({ customerId: 'cust-other' }));

    // Act / Assert
    expect(a.ok && b.ok && contentHash(a.canonical) !== contentHash(b.canonical)).toBe(true);
  });
});
