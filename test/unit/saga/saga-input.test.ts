import { parseSagaInput } from '#shared/domain/saga-input';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import { anOrder } from '../../helpers/orders';

describe('parseSagaInput', () => {
  it('accepts the order itself, as a person pastes it, without a correlation id', () => {
    // Arrange
    const order = anOrder({ orderId: 'ord-pasted-1' });

    // Act
    const parsed = parseSagaInput(order);

    // Assert
    const validated = validateOrder(order);
    if (!validated.ok) throw new Error('fixture is invalid');
    expect(parsed).toEqual({
      ok: true,
      order: validated.order,
      canonical: validated.canonical,
      contentHash: contentHash(validated.canonical),
    });
  });

  it("accepts process-order's envelope and keeps its correlation id", () => {
    // Act
    const parsed = parseSagaInput({ order: anOrder({ orderId: 'ord-env-1' }), correlationId: 'b/k#3' });

    // Assert
    expect(parsed).toMatchObject({ ok: true, correlationId: 'b/k#3', order: { orderId: 'ord-env-1' } });
  });

  it('gives the same content hash for an order pasted and the same order in an envelope', () => {
    // Arrange
    const order = anOrder({ orderId: 'ord-same-1' });

    // Act
    const pasted = parseSagaInput(order);
    const enveloped = parseSagaInput({ order, correlationId: 'x' });

    // Assert
    expect(pasted.ok && enveloped.ok && pasted.contentHash === enveloped.contentHash).toBe(true);
  });

  it('lists every problem of an envelope: unknown keys, a bad correlation id and each invalid field of the order', () => {
    // Act
    const parsed = parseSagaInput({
      order: { ...anOrder(), totalCents: 1, currency: 'euro' },
      correlationId: '',
      extra: true,
    });

    // Assert
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reasons).toEqual(
      expect.arrayContaining([
        'extra: not allowed next to "order" (only "correlationId" is)',
        'correlationId: must be a non-empty string when given',
        expect.stringMatching(/^in order: currency: /),
        expect.stringMatching(/^in order: totalCents: totalCents is 1 but the items add up to/),
      ]),
    );
  });

  it.each([
    ['a string', '"ord-1"'],
    ['an array', []],
    ['null', null],
    ['a number', 42],
  ])('refuses %s with one reason naming both accepted shapes', (what, input) => {
    // Act
    const parsed = parseSagaInput(input);

    // Assert
    expect(parsed).toEqual({
      ok: false,
      reasons: [expect.stringContaining(`must be an order or {"order": …, "correlationId": …}, not ${what}`)],
    });
  });

  it('judges an object that is neither shape as an order, with the schema reasons', () => {
    // Act
    const parsed = parseSagaInput({ hello: 'world' });

    // Assert
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^orderId: /)]));
  });
});
