import { OrderPlacedSchema } from '#shared/schemas/order-placed-schema.lazy';
import * as z from '#shared/schemas/zod';
import type { RecordOutcomeInput, SagaState } from './saga-state';

/**
 * The saga payloads' schemas of record. saga-state.ts answers for the usual payload without them
 * (checked against them by test/unit/saga/saga-state.test.ts) and loads this module only for a payload
 * it is not certain of. A bundle ships it as a file of its own (lib/bundling/lazy-modules.ts), so it
 * returns verdicts and saga-state.ts throws: an error class defined here would be a second copy there.
 */

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

/** The schema's output, or the reasons it refuses the payload. */
export type SchemaVerdict<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly reasons: string };

export const checkSagaState = (payload: unknown): SchemaVerdict<SagaState> => {
  const parsed = SagaStateSchema.safeParse(payload);
  return parsed.success
    ? { ok: true, data: parsed.data as SagaState }
    : { ok: false, reasons: describeIssues(parsed.error) };
};

export const checkRecordOutcomeInput = (payload: unknown): SchemaVerdict<RecordOutcomeInput> => {
  const parsed = RecordOutcomeSchema.safeParse(payload);
  return parsed.success
    ? { ok: true, data: parsed.data as RecordOutcomeInput }
    : { ok: false, reasons: describeIssues(parsed.error) };
};
