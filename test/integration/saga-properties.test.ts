import fc from 'fast-check';
import { DynamoProviderBooks } from '#shared/adapters/provider-books';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import type { SagaInput } from '#shared/domain/saga-state';
import { gateCalls, ScheduledCalls, throughGate } from '../helpers/dynamo-gate';
import {
  carrierHasLiveParcel,
  providerNetChargeCents,
  putNewOrder,
  readOrder,
  readPayment,
  readReservation,
  readStock,
  seedStock,
  uniqueSkuPrefix,
} from '../helpers/saga-items';
import { type RealSagaSteps, realSagaSteps } from '../helpers/saga-real-steps';
import { type SagaTables, setUpSagaTables } from '../helpers/saga-tables';
import { type Outcome, outcomeOf, type Retrier, retriersOf, runAsTask, verdict } from '../helpers/saga-tasks';

/**
 * Any interleaving of retries, duplicate invocations and late answers keeps the money and stock
 * invariants. fast-check's scheduler decides, call by call, which running invocation's next DynamoDB
 * request lands (test/helpers/dynamo-gate.ts); each invocation is a Task of the saga, retried as its
 * `Retry` says, over the real adapters and DynamoDB Local. Every run uses a fresh order and fresh skus.
 * A failure prints the seed, the plan and the scheduler's log of which call landed when.
 */

const dynamodb = gateCalls(makeDynamoDbClient());
const documentClient = makeDocumentClient(dynamodb);
let tables: SagaTables;
let steps: RealSagaSteps;

beforeAll(async () => {
  tables = await setUpSagaTables(dynamodb);
  steps = realSagaSteps(documentClient, tables);
});

afterAll(() => dynamodb.destroy());

const FORWARD = ['ReserveInventory', 'ChargePayment', 'CreateShipment'] as const;
type ForwardStep = (typeof FORWARD)[number];
const COMPENSATIONS = ['CancelShipment', 'RefundPayment', 'ReleaseInventory'] as const;
type Compensation = (typeof COMPENSATIONS)[number];
type Step = ForwardStep | Compensation;

const RETRIERS: Readonly<Record<Step, readonly Retrier[]>> = Object.fromEntries(
  [...FORWARD, ...COMPENSATIONS].map((step) => [step, retriersOf(step)]),
) as Record<Step, readonly Retrier[]>;

const invoke = (step: Step, input: SagaInput): Promise<unknown> => steps[step](input);

/** One invocation of a step as a Task (its retries included), its calls labelled `<step>#<n>`. */
const startTask = (
  gate: ScheduledCalls,
  step: Step,
  n: number,
  input: SagaInput,
): Promise<Outcome<unknown>> =>
  outcomeOf(throughGate(gate, `${step}#${n}`, () => runAsTask(RETRIERS[step], () => invoke(step, input))));

/** Tokens that take money when charged; tok_charge_timeout takes it and loses every answer. */
const CHARGING_TOKENS = ['tok_visa', 'tok_flaky', 'tok_charge_timeout', 'tok_refund_flaky'] as const;
/** 99998: the carrier books the parcel and its answer is lost on every attempt. */
const POSTAL_CODES = ['10115', '99998'] as const;

const SEED = 10;

/** A RECEIVED order of 2 × A and 1 × B on fresh skus stocked with SEED each. */
const freshOrder = async (token: string, postalCode: string) => {
  const prefix = uniqueSkuPrefix();
  const skus = [`${prefix}-A`, `${prefix}-B`] as const;
  await seedStock(documentClient, tables, { [skus[0]]: SEED, [skus[1]]: SEED });
  const input = await putNewOrder(documentClient, tables, {
    token,
    postalCode,
    items: [
      { sku: skus[0], quantity: 2, unitPriceCents: 1_000 },
      { sku: skus[1], quantity: 1, unitPriceCents: 500 },
    ],
  });
  const orderId = input.order.orderId;
  return {
    input,
    orderId,
    seeded: { [skus[0]]: SEED, [skus[1]]: SEED },
    taken: { [skus[0]]: SEED - 2, [skus[1]]: SEED - 1 },
    stock: () => readStock(documentClient, tables, skus),
    order: () => readOrder(documentClient, tables, orderId),
    payment: () => readPayment(documentClient, tables, orderId),
    reservation: () => readReservation(documentClient, tables, orderId),
    providerNet: () => providerNetChargeCents(documentClient, tables, orderId),
    liveParcel: () => carrierHasLiveParcel(documentClient, tables, orderId),
    /** The simulated provider's and carrier's own books for the order. */
    books: async () => {
      const books = new DynamoProviderBooks(documentClient, tables.provider);
      return { payment: await books.payment(orderId), shipment: await books.shipment(orderId) };
    },
  };
};

/**
 * The status the forward steps leave, whatever order they land in: statuses only move forward, so
 * the furthest step that succeeded wins (99998 never ships; tok_charge_timeout never reports a charge).
 */
const furthestStatus = (token: string, postalCode: string): string => {
  if (postalCode !== '99998') return 'SHIPPED';
  return token === 'tok_charge_timeout' ? 'RESERVED' : 'CHARGED';
};

/** Statuses that appear more than once in the order's history (each transition is written once). */
const repeatedStatuses = (record: { history: readonly { status: string }[] } | undefined): string[] => {
  const statuses = record?.history.map((entry) => entry.status) ?? [];
  return statuses.filter((status, index) => statuses.indexOf(status) !== index);
};

/** What a forward step may end with when it races its compensation: done, refused by a guard, or given up. */
const ALLOWED_IN_A_RACE: Readonly<Record<ForwardStep, readonly string[]>> = {
  ReserveInventory: ['ok', 'ReservationReleased'],
  ChargePayment: [
    'ok',
    'PaymentVoided',
    'PaymentAlreadyRefunded',
    'PaymentLedgerConflict',
    'PaymentDeclined',
    // tok_charge_timeout: every answer is lost until the retries run out.
    'PaymentGatewayError',
  ],
  CreateShipment: [
    'ok',
    'ShipmentCancelled',
    'ShippingError',
    // postal code 99998: every answer is lost until the retries run out.
    'CarrierGatewayError',
  ],
};

/** The guard that refuses a forward step started after its own compensation completed. */
const REFUSED_WHEN_LATE: Readonly<Record<ForwardStep, readonly string[]>> = {
  ReserveInventory: ['ReservationReleased'],
  // PaymentDeclined: the ledger says DECLINED (tok_decline), and a retry declines again.
  ChargePayment: ['PaymentVoided', 'PaymentAlreadyRefunded', 'PaymentDeclined'],
  CreateShipment: ['ShipmentCancelled'],
};

/** The compensation that undoes each forward step. */
const UNDONE_BY: Readonly<Record<ForwardStep, Compensation>> = {
  ReserveInventory: 'ReleaseInventory',
  ChargePayment: 'RefundPayment',
  CreateShipment: 'CancelShipment',
};

/**
 * Every invocation of a forward step for one order, duplicates included, all running at once. A
 * stalled one freezes before its `stallAt`-th DynamoDB call until every other invocation finished.
 */
const forwardPlans = fc.record({
  token: fc.constantFrom(...CHARGING_TOKENS),
  postalCode: fc.constantFrom(...POSTAL_CODES),
  invocations: fc
    .array(
      fc.record({
        step: fc.constantFrom(...FORWARD),
        stallAt: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      }),
      { minLength: 3, maxLength: 6 },
    )
    .filter((list) => FORWARD.every((step) => list.some((invocation) => invocation.step === step))),
});

/**
 * When a forward invocation starts: completed before the compensations begin, running when they
 * begin, or started (a late retry or redrive) after a compensation completed.
 */
const LAUNCHES = [
  'before',
  'with',
  'afterCancelShipment',
  'afterRefundPayment',
  'afterReleaseInventory',
] as const;

/** The points a stalled forward invocation may be held until: a compensation completed. */
const AFTER_COMPENSATION = ['afterCancelShipment', 'afterRefundPayment', 'afterReleaseInventory'] as const;
type AfterCompensation = (typeof AFTER_COMPENSATION)[number];

/** Frozen before the `atCall`-th DynamoDB call until a compensation completed: a Lambda that goes on late. */
const stalls = fc.record({
  atCall: fc.integer({ min: 1, max: 6 }),
  until: fc.constantFrom(...AFTER_COMPENSATION),
});

const lateableInvocation = (steps: readonly ForwardStep[]) =>
  fc.record({
    step: fc.constantFrom(...steps),
    launch: fc.constantFrom(...LAUNCHES),
    stall: fc.option(stalls, { nil: undefined }),
  });

/** None or one more invocation of a compensation, overlapping the one its Task waits for, perhaps stalled. */
const duplicates = fc.array(fc.record({ stall: fc.option(stalls, { nil: undefined }) }), { maxLength: 1 });

/**
 * The compensations begin at CancelShipment, so every forward step was started at least once, some
 * perhaps more often. Each forward invocation starts before the compensations (and completes before
 * they begin), with them, or after one of them completed (a late retry or redrive), and may stall.
 * Each compensation's Task waits for its own invocation (retried as its Retry says); a duplicate
 * (a timed-out invocation still running) may run beside it, and may stall past the next compensations.
 */
const compensationPlans = fc.record({
  token: fc.constantFrom(...CHARGING_TOKENS, 'tok_decline'),
  postalCode: fc.constantFrom(...POSTAL_CODES),
  forward: fc
    .tuple(
      lateableInvocation(['ReserveInventory']),
      lateableInvocation(['ChargePayment']),
      lateableInvocation(['CreateShipment']),
      fc.array(lateableInvocation(FORWARD), { maxLength: 2 }),
    )
    .map(([reserve, charge, ship, more]) => [reserve, charge, ship, ...more]),
  duplicates: fc.record({
    CancelShipment: duplicates,
    RefundPayment: duplicates,
    ReleaseInventory: duplicates,
  }),
});

/** A promise and the function that resolves it. */
const milestone = () => {
  let reach = (): void => {};
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  return { reached, reach };
};

/**
 * A budget for a busy 2-core machine (about 0.3 s per forward run and 0.1 s per compensation run
 * there): the file runs in well under a minute. A property that finds a counterexample shrinks it in
 * the time left and reports it with its seed; runs cut short by the limit fail rather than pass with
 * fewer runs.
 */
const budget = (numRuns: number) => ({
  numRuns,
  interruptAfterTimeLimit: 90_000,
  markInterruptAsFailure: true,
});

describe('saga steps under any interleaving at the DynamoDB boundary', () => {
  it('charges the total once, takes the stock once and books one parcel, whatever duplicates run forward', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), forwardPlans, async (s, plan) => {
        // Arrange
        const order = await freshOrder(plan.token, plan.postalCode);
        const gate = new ScheduledCalls(s);

        // Act
        const outcomes = await gate.run(() => {
          const running = plan.invocations.map(({ step, stallAt }, index) =>
            stallAt === undefined ? startTask(gate, step, index + 1, order.input) : undefined,
          );
          const othersDone = Promise.all(running);
          return Promise.all(
            plan.invocations.map(({ step, stallAt }, index) => {
              if (stallAt === undefined) return running[index];
              gate.hold(`${step}#${index + 1}`, stallAt, othersDone);
              return startTask(gate, step, index + 1, order.input);
            }),
          );
        });

        // Assert
        const of = (step: ForwardStep): Outcome<unknown>[] =>
          outcomes.flatMap((outcome, index) =>
            outcome !== undefined && plan.invocations[index]?.step === step ? [outcome] : [],
          );
        const { orderId, totalCents } = order.input.order;
        expect(await order.providerNet()).toBe(totalCents);
        expect(await order.stock()).toEqual(order.taken);
        expect(await order.reservation()).toMatchObject({ status: 'RESERVED' });
        expect(await order.liveParcel()).toBe(true);
        const reservations = of('ReserveInventory');
        expect(reservations.map(verdict)).toEqual(reservations.map(() => 'ok'));
        expect(new Set(reservations.map((outcome) => JSON.stringify(outcome))).size).toBe(1);
        const charges = of('ChargePayment');
        const ledger = await order.payment();
        if (plan.token === 'tok_charge_timeout') {
          expect(charges.map(verdict)).toEqual(charges.map(() => 'PaymentGatewayError'));
          expect(ledger?.status).toBe('PENDING');
        } else {
          expect(charges.map(verdict)).toEqual(charges.map(() => 'ok'));
          expect(ledger).toMatchObject({ status: 'CHARGED', chargeId: `ch_${orderId}` });
        }
        const shipments = of('CreateShipment');
        const stored = await order.order();
        if (plan.postalCode === '99998') {
          expect(shipments.map(verdict)).toEqual(shipments.map(() => 'CarrierGatewayError'));
          expect(stored?.shipment).toBeUndefined();
        } else {
          expect(shipments.map(verdict)).toEqual(shipments.map(() => 'ok'));
          expect(shipments.map((outcome) => outcome.ok && outcome.value)).toEqual(
            shipments.map(() => stored?.shipment),
          );
        }
        expect(stored?.status).toBe(furthestStatus(plan.token, plan.postalCode));
        expect(repeatedStatuses(stored)).toEqual([]);
        const books = await order.books();
        expect(books.payment.charge?.chargeId).toBe(`ch_${orderId}`);
        expect(books.payment.refund).toBeUndefined();
        expect(stored?.shipment?.trackingId ?? books.shipment.shipment?.trackingId).toBe(
          books.shipment.shipment?.trackingId,
        );
      }),
      budget(40),
    );
  });

  it('holds no money, stock or parcel once every compensation completed, whatever forward invocations land late', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), compensationPlans, async (s, plan) => {
        // Arrange
        const order = await freshOrder(plan.token, plan.postalCode);
        const gate = new ScheduledCalls(s);
        const milestones = new Map(AFTER_COMPENSATION.map((point) => [point, milestone()]));
        const stallOf = (
          invocation: string,
          stall: { atCall: number; until: AfterCompensation } | undefined,
        ) => {
          const until = stall && milestones.get(stall.until)?.reached;
          if (stall && until) gate.hold(invocation, stall.atCall, until);
        };
        plan.forward.forEach(({ step, launch, stall }, index) => {
          // One that completes before the compensations begin cannot wait for them.
          if (launch !== 'before') stallOf(`${step}#${index + 1}`, stall);
        });
        for (const compensation of COMPENSATIONS) {
          plan.duplicates[compensation].forEach(({ stall }, index) => {
            stallOf(`${compensation}#${index + 2}`, stall);
          });
        }

        // Act
        const { forward, compensations } = await gate.run(async () => {
          const forwardRuns: Promise<Outcome<unknown>>[] = [];
          const compensationRuns: Promise<Outcome<unknown>>[] = [];
          const launch = (when: string) => {
            plan.forward.forEach(({ step, launch: at }, index) => {
              if (at === when) forwardRuns[index] = startTask(gate, step, index + 1, order.input);
            });
          };
          try {
            launch('before');
            await Promise.all(forwardRuns);
            launch('with');
            // In saga order: each compensation starts once the one before it completed.
            for (const compensation of COMPENSATIONS) {
              const task = startTask(gate, compensation, 1, order.input);
              const overlapping = plan.duplicates[compensation].map((_, index) =>
                startTask(gate, compensation, index + 2, order.input),
              );
              compensationRuns.push(task, ...overlapping);
              const outcome = await task;
              if (!outcome.ok)
                throw new Error(`${compensation} failed: ${outcome.error}: ${outcome.message}`);
              milestones.get(`after${compensation}`)?.reach();
              launch(`after${compensation}`);
            }
          } finally {
            // A failed run still lets its stalled invocations go on.
            for (const { reach } of milestones.values()) reach();
          }
          return {
            forward: await Promise.all(forwardRuns),
            compensations: await Promise.all(compensationRuns),
          };
        });

        // Assert
        expect(await order.providerNet()).toBe(0);
        expect(await order.stock()).toEqual(order.seeded);
        expect(await order.liveParcel()).toBe(false);
        expect(await order.reservation()).toMatchObject({ status: 'RELEASED' });
        // The ledger agrees with the provider's books: what it says was refunded was, what it says was
        // never charged never was.
        const ledger = await order.payment();
        const books = await order.books();
        const refunded = ledger?.status === 'REFUNDED' || ledger?.voidOutcome === 'REFUNDED';
        expect(['REFUNDED', 'VOIDED', 'DECLINED']).toContain(ledger?.status);
        if (ledger?.status === 'VOIDED') expect(ledger.voidOutcome).toBeDefined();
        expect({ refunded, refundId: ledger?.refundId, charged: books.payment.charge !== undefined }).toEqual(
          {
            refunded: books.payment.refund !== undefined,
            refundId: books.payment.refund?.refundId,
            charged: refunded,
          },
        );
        // The order's shipment, if it holds one, is the carrier's (cancelled) booking.
        const stored = await order.order();
        if (stored?.shipment) expect(stored.shipment.trackingId).toBe(books.shipment.shipment?.trackingId);
        expect(compensations.filter((outcome) => !outcome.ok)).toEqual([]);
        const unexpected = plan.forward.flatMap(({ step, launch: at }, index) => {
          const outcome = forward[index];
          const late = LAUNCHES.indexOf(at) >= LAUNCHES.indexOf(`after${UNDONE_BY[step]}`);
          const allowed = late ? REFUSED_WHEN_LATE[step] : ALLOWED_IN_A_RACE[step];
          const got = outcome === undefined ? 'never ran' : verdict(outcome);
          return allowed.includes(got)
            ? []
            : [{ invocation: `${step}#${index + 1}`, launch: at, got, allowed }];
        });
        expect(unexpected).toEqual([]);
        expect(repeatedStatuses(stored)).toEqual([]);
      }),
      budget(100),
    );
  });
});
