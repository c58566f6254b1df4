import { InvalidSagaInput } from '#shared/errors/saga';
import { fastParseCanonicalOrder, isPlain } from '#shared/schemas/order-fast-path';
import type { OrderPlaced } from '#shared/schemas/order-placed';
import type { FinalStatus, OrderStatus } from './order-status';
import type { ReleaseOutcome, ReservationLine, Shipment } from './ports';

/**
 * The state the order saga carries from step to step. The execution starts with
 * `{order, correlationId}`; each Task passes the whole state as its Lambda payload and
 * stores its result under its own key (ResultSelector + ResultPath), so nothing is lost.
 * The steps read and write DynamoDB by orderId: the results kept here are for the
 * execution's history and output, never the source of truth.
 */
export interface StepError {
  /** The error name (Lambda's errorType, or a States.* name). */
  readonly Error: string;
  /** For Lambda errors a JSON string {errorType, errorMessage, trace}; otherwise text. */
  readonly Cause?: string;
}

export interface ReservationSummary {
  readonly status: 'RESERVED';
  readonly lines: readonly ReservationLine[];
  readonly reservedAt: string;
}

export interface PaymentSummary {
  readonly status: 'CHARGED';
  readonly chargeId: string;
  readonly amountCents: number;
  readonly currency: string;
}

export interface ConfirmationSummary {
  readonly status: 'COMPLETED';
  readonly notified: boolean;
}

export interface ShipmentCancellationSummary {
  /** CANCELLED: the carrier had a booking for the order and cancelled it. */
  readonly outcome: 'CANCELLED' | 'NOTHING_TO_CANCEL';
  /** null when nothing was booked: ResultSelector needs every field present. */
  readonly trackingId: string | null;
}

export type RefundOutcome = 'REFUNDED' | 'ALREADY_REFUNDED' | 'NOTHING_TO_REFUND';

export interface RefundSummary {
  readonly outcome: RefundOutcome;
  /** null when nothing was refunded: ResultSelector needs every field present. */
  readonly refundId: string | null;
  readonly amountCents: number;
}

export interface ReleaseSummary {
  readonly outcome: ReleaseOutcome;
  readonly lines: readonly ReservationLine[];
}

export interface OutcomeSummary {
  /** The order's status afterwards: the one asked for, or the final status it already had. */
  readonly status: OrderStatus;
  readonly reason: string;
  /** false when the order already had a final status, which is kept. */
  readonly changed: boolean;
}

export interface SagaInput {
  readonly order: OrderPlaced;
  readonly correlationId: string;
}

export interface SagaState extends SagaInput {
  readonly reservation?: ReservationSummary;
  readonly payment?: PaymentSummary;
  readonly shipment?: Shipment;
  readonly confirmation?: ConfirmationSummary;
  readonly shipmentCancellation?: ShipmentCancellationSummary;
  readonly refund?: RefundSummary;
  readonly release?: ReleaseSummary;
  /** The forward step's failure that started the compensations (Catch ResultPath). */
  readonly error?: StepError;
  readonly confirmError?: StepError;
  readonly cancelShipmentError?: StepError;
  readonly refundError?: StepError;
  readonly releaseError?: StepError;
}

/** The payload of the RecordRejected/RecordCancelled/RecordNeedsAttention tasks. */
export interface RecordOutcomeInput {
  readonly status: Exclude<FinalStatus, 'COMPLETED'>;
  readonly state: SagaState;
  /** The execution recording it ($$.Execution.Id): the status's writer, recognised on a retry. */
  readonly execution?: string;
}

const STEP_ERROR_KEYS = ['error', 'confirmError', 'cancelShipmentError', 'refundError', 'releaseError'];
const OUTCOME_STATUSES: ReadonlySet<unknown> = new Set(['CANCELLED', 'REJECTED', 'NEEDS_ATTENTION']);

/**
 * The schema's output for a StepError it certainly accepts: `Error`, and `Cause` if present, strings,
 * nothing else; or undefined (ask zod). A copy, as the schema makes one.
 */
const plainStepError = (value: unknown): StepError | undefined => {
  if (!isPlain(value) || typeof value.Error !== 'string') return undefined;
  let keys = 0;
  for (const key in value) {
    if (key !== 'Error' && key !== 'Cause') return undefined;
    keys += 1;
  }
  if (keys === 1) return { Error: value.Error };
  return typeof value.Cause === 'string' ? { Error: value.Error, Cause: value.Cause } : undefined;
};

/**
 * The schema's output (deep-equal) for a payload it certainly accepts, or undefined (ask zod), for a
 * JSON value, which is what Lambda hands a function (saga-state.test.ts checks it against the schema
 * alone). That is every payload the state machine passes: the canonical order process-order started
 * the saga with, a correlation id, the steps' results (which the schema passes through as they are)
 * and the errors the Catches stored.
 */
export const fastParseSagaState = (payload: unknown): SagaState | undefined => {
  // An own `__proto__` key (JSON.parse makes one) is one the schema does not copy: left to it.
  if (!isPlain(payload) || Object.hasOwn(payload, '__proto__')) return undefined;
  const { correlationId } = payload;
  if (typeof correlationId !== 'string' || correlationId.length === 0) return undefined;
  const state: Record<string, unknown> = { ...payload };
  for (const key of STEP_ERROR_KEYS) {
    if (!(key in payload)) continue;
    const error = plainStepError(payload[key]);
    if (error === undefined) return undefined;
    state[key] = error;
  }
  const order = fastParseCanonicalOrder(payload.order);
  if (order === undefined) return undefined;
  state.order = order;
  return state as unknown as SagaState;
};

/** The schema's output for a record-outcome payload it certainly accepts, or undefined (ask zod). */
export const fastParseRecordOutcomeInput = (payload: unknown): RecordOutcomeInput | undefined => {
  if (!isPlain(payload) || !OUTCOME_STATUSES.has(payload.status)) return undefined;
  const { execution } = payload;
  if ('execution' in payload && (typeof execution !== 'string' || execution.length === 0)) return undefined;
  const state = fastParseSagaState(payload.state);
  if (state === undefined) return undefined;
  const status = payload.status as RecordOutcomeInput['status'];
  return typeof execution === 'string' ? { status, state, execution } : { status, state };
};

/**
 * The schemas of record (saga-state-schema.lazy.ts), loaded the first time a payload needs them: the usual
 * payload never does, and building them cost milliseconds of every saga function's cold start.
 */
const withSchema = (): typeof import('./saga-state-schema.lazy') =>
  require('./saga-state-schema.lazy') as typeof import('./saga-state-schema.lazy');

/** The schema's verdict alone: its output, or InvalidSagaInput with its reasons. */
export const parseSagaStateWithSchema = (payload: unknown): SagaState => {
  const checked = withSchema().checkSagaState(payload);
  if (!checked.ok) throw new InvalidSagaInput(`not a saga state: ${checked.reasons}`);
  return checked.data;
};

export const parseRecordOutcomeInputWithSchema = (payload: unknown): RecordOutcomeInput => {
  const checked = withSchema().checkRecordOutcomeInput(payload);
  if (!checked.ok) throw new InvalidSagaInput(`not a record-outcome payload: ${checked.reasons}`);
  return checked.data;
};

/**
 * Checks a step's payload. The order was validated at ingest; this guards the contract
 * between the state machine and the steps, and fails permanently when they disagree.
 */
export const parseSagaState = (payload: unknown): SagaState =>
  fastParseSagaState(payload) ?? parseSagaStateWithSchema(payload);

export const parseRecordOutcomeInput = (payload: unknown): RecordOutcomeInput =>
  fastParseRecordOutcomeInput(payload) ?? parseRecordOutcomeInputWithSchema(payload);
