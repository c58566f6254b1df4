import { interpretReservationCancellation } from '#shared/adapters/reservation-cancellation';

const lines = [
  { sku: 'A', quantity: 2 },
  { sku: 'B', quantity: 5 },
];

describe('reservation transaction cancellation reasons', () => {
  it('reads a failed reservation put as already reserved, whatever the stock says', () => {
    // Act
    const meaning = interpretReservationCancellation(
      [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: {} }],
      lines,
    );

    // Assert
    expect(meaning).toEqual({ kind: 'already-reserved' });
  });

  it('names the sku whose stock is short, with what is available', () => {
    // Act
    const meaning = interpretReservationCancellation(
      [
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: { sku: { S: 'B' }, available: { N: '3' } } },
      ],
      lines,
    );

    // Assert
    expect(meaning).toEqual({ kind: 'out-of-stock', shortages: [{ sku: 'B', requested: 5, available: 3 }] });
  });

  it('reads a failed condition without an old item as an unknown sku', () => {
    // Act
    const meaning = interpretReservationCancellation(
      [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      lines,
    );

    // Assert
    expect(meaning).toEqual({ kind: 'unknown-sku', skus: ['A'] });
  });

  it('reports other codes as they are', () => {
    // Assert
    expect(interpretReservationCancellation([{ Code: 'ValidationError' }], lines)).toEqual({
      kind: 'other',
      codes: ['ValidationError'],
    });
  });
});
