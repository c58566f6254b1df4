import { InvalidSagaInput } from '#shared/errors/saga';
import { type OrderPlaced, OrderPlacedSchema } from '#shared/schemas/order-placed';
import * as z from '#shared/schemas/zod';
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

const StepErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

const SagaStateSchema = z.looseObject({
  order: OrderPlacedSchema,
  correlationId: z.string().check(z.minLength(1)),
  error: z.optional(StepErrorSchema),
  confirmError: z.optional(StepErrorSchema),
  cancelShipmentError: z.optional(StepErrorSchema),
  refundError: z.optional(StepErrorSchema),
  releaseError: z.optional(StepErrorSchema),
});

const RecordOutcomeSchema = z.object({
  status: z.enum(['CANCELLED', 'REJECTED', 'NEEDS_ATTENTION']),
  state: SagaStateSchema,
  execution: z.optional(z.string().check(z.minLength(1))),
});

const describeIssues = (error: z.core.$ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');

/**
 * Checks a step's payload. The order was validated at ingest; this guards the contract
 * between the state machine and the steps, and fails permanently when they disagree.
 */
export const parseSagaState = (payload: unknown): SagaState => {
  const parsed = SagaStateSchema.safeParse(payload);
  if (!parsed.success) throw new InvalidSagaInput(`not a saga state: ${describeIssues(parsed.error)}`);
  return parsed.data as SagaState;
};

export const parseRecordOutcomeInput = (payload: unknown): RecordOutcomeInput => {
  const parsed = RecordOutcomeSchema.safeParse(payload);
  if (!parsed.success)
    throw new InvalidSagaInput(`not a record-outcome payload: ${describeIssues(parsed.error)}`);
  return parsed.data as RecordOutcomeInput;
};
