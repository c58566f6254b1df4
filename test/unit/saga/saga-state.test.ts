import fc from 'fast-check';
import {
  fastParseRecordOutcomeInput,
  fastParseSagaState,
  parseRecordOutcomeInput,
  parseRecordOutcomeInputWithSchema,
  parseSagaState,
  parseSagaStateWithSchema,
} from '#shared/domain/saga-state';
import { validateOrderWithSchema } from '#shared/schemas/order-placed';
import { nearMiss, orderOf, wrongValue } from '../../helpers/order-arbitraries';

/**
 * The saga steps' payload checks: a fast path first, the zod schemas (saga-state-schema.lazy.ts) for any
 * payload it is not certain of. Together they must give exactly what the schemas alone give, output
 * or thrown reasons, and the fast path must answer for the payloads the state machine really passes.
 */

const RUNS = 2_000;

/** What a parse gives: its output, or the error it throws. */
const outcome = (parse: (payload: unknown) => unknown, payload: unknown): unknown => {
  try {
    return { output: parse(payload) };
  } catch (error) {
    return { thrown: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

/** An own property, as JSON.parse makes it (assigning `__proto__` would set the prototype instead). */
const withOwn = (target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/** The order as the saga carries it: process-order starts every execution with the canonical record. */
const canonicalOrder = orderOf
  .map((order) => validateOrderWithSchema(order))
  .filter((result) => result.ok)
  .map((result) => (result.ok ? (JSON.parse(result.canonical) as unknown) : undefined));

/** The same order with -0 for a zero total or zero prices, as JSON.parse reads "-0": valid, not canonical. */
const negativeZeros = fc.tuple(canonicalOrder, fc.boolean(), fc.boolean()).map(([order, total, prices]) => {
  const copy = JSON.parse(JSON.stringify(order)) as {
    totalCents: number;
    items: { unitPriceCents: number }[];
  };
  if (total && copy.totalCents === 0) copy.totalCents = -0;
  for (const item of copy.items) if (prices && item.unitPriceCents === 0) item.unitPriceCents = -0;
  return copy;
});

const stepError = fc.oneof(
  { weight: 20, arbitrary: fc.constant<'absent'>('absent') },
  { weight: 4, arbitrary: fc.constantFrom({ Error: 'OutOfStock' }, { Error: 'States.Timeout', Cause: 'x' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { Error: 'X', Cause: 1 },
      { Error: 'X', Cause: undefined },
      { Error: 'X', Cause: null },
      { Error: 'X', extra: 1 },
      { Error: 1 },
      { Cause: 'x' },
      {},
      null,
      'text',
      undefined,
      [],
    ),
  },
);

const STEP_ERROR_KEYS = ['error', 'confirmError', 'cancelShipmentError', 'refundError', 'releaseError'];

/** Saga states: mostly as the state machine passes them, sometimes a field off in any way. */
const sagaState = fc
  .record({
    order: fc.oneof(
      { weight: 8, arbitrary: canonicalOrder },
      { weight: 2, arbitrary: orderOf },
      { weight: 1, arbitrary: negativeZeros },
      { weight: 1, arbitrary: nearMiss },
      { weight: 1, arbitrary: wrongValue },
    ),
    correlationId: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('corr-1', 'sqs:msg-1', 'x') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('', ' ', 'absent', 7, null, undefined) },
    ),
    errors: fc.array(stepError, { minLength: 5, maxLength: 5 }),
    results: fc.boolean(),
    extra: fc.constantFrom('none', 'giftWrap', '__proto__', 'constructor', 'toString'),
  })
  .map(({ order, correlationId, errors, results, extra }) => {
    const state: Record<string, unknown> = { order };
    if (correlationId !== 'absent') state.correlationId = correlationId;
    STEP_ERROR_KEYS.forEach((key, index) => {
      if (errors[index] !== 'absent') state[key] = errors[index];
    });
    if (results) {
      state.reservation = { status: 'RESERVED', lines: [{ sku: 'A', quantity: 1 }], reservedAt: 'now' };
      state.payment = { status: 'CHARGED', chargeId: 'ch-1', amountCents: 300, currency: 'EUR' };
    }
    return extra === 'none' ? state : withOwn(state, extra, { some: 'value' });
  });

const recordOutcome = fc
  .record({
    status: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('CANCELLED', 'REJECTED', 'NEEDS_ATTENTION') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('COMPLETED', 'cancelled', 1, undefined) },
    ),
    state: sagaState,
    execution: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('absent', 'arn:aws:states:us-east-1:1:execution:Saga:o-1') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('', 1, undefined) },
    ),
    extra: fc.boolean(),
  })
  .map(({ status, state, execution, extra }) => {
    const payload: Record<string, unknown> = { status, state };
    if (execution !== 'absent') payload.execution = execution;
    return extra ? withOwn(payload, 'startedBy', 'repair') : payload;
  });

describe('parseSagaState', () => {
  it('gives what the schema alone gives, output or reasons, on generated saga states', () => {
    fc.assert(
      fc.property(sagaState, (state) => {
        expect(outcome(parseSagaState, state)).toStrictEqual(outcome(parseSagaStateWithSchema, state));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives what the schema alone gives on values that are not saga states at all', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), wrongValue), (value) => {
        expect(outcome(parseSagaState, value)).toStrictEqual(outcome(parseSagaStateWithSchema, value));
      }),
      { numRuns: 300 },
    );
  });

  it('answers for the payloads the state machine passes without the schema', () => {
    // The properties above would hold for a fast path that accepted nothing: show it does its job.
    const accepted = fc
      .sample(sagaState, { numRuns: 1_000, seed: 7 })
      .filter((state) => !('thrown' in (outcome(parseSagaStateWithSchema, state) as object)));
    expect(accepted.length).toBeGreaterThan(300);
    const answered = accepted.filter((state) => fastParseSagaState(state) !== undefined);
    expect(answered.length / accepted.length).toBeGreaterThan(0.6);
    // The canonical order with results and a caught error: the shape of every compensation's payload.
    const [state] = fc.sample(
      canonicalOrder.filter((order) => validateOrderWithSchema(order).ok),
      { numRuns: 1, seed: 3 },
    );
    const payload = { order: state, correlationId: 'c-1', error: { Error: 'PaymentDeclined', Cause: '{}' } };
    expect(fastParseSagaState(payload)).toStrictEqual(parseSagaStateWithSchema(payload));
  });
});

describe('parseRecordOutcomeInput', () => {
  it('gives what the schema alone gives, output or reasons, on generated record-outcome payloads', () => {
    let answered = 0;
    fc.assert(
      fc.property(recordOutcome, (payload) => {
        expect(outcome(parseRecordOutcomeInput, payload)).toStrictEqual(
          outcome(parseRecordOutcomeInputWithSchema, payload),
        );
        if (fastParseRecordOutcomeInput(payload) !== undefined) answered += 1;
      }),
      { numRuns: RUNS },
    );
    expect(answered).toBeGreaterThan(RUNS / 5);
  });
});
