import { InvalidSagaInput } from '#shared/errors/saga';
import { OrderPlacedSchema } from '#shared/schemas/order-placed-schema';
import * as z from '#shared/schemas/zod';
import type { RecordOutcomeInput, SagaState } from './saga-state';

/**
 * The saga payloads' schemas of record. saga-state.ts answers for the usual payload without them
 * (checked against them by test/unit/saga/saga-state-schema.test.ts) and loads this module only for
 * a payload it is not certain of.
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

export const parseSagaStateWithSchema = (payload: unknown): SagaState => {
  const parsed = SagaStateSchema.safeParse(payload);
  if (!parsed.success) throw new InvalidSagaInput(`not a saga state: ${describeIssues(parsed.error)}`);
  return parsed.data as SagaState;
};

export const parseRecordOutcomeInputWithSchema = (payload: unknown): RecordOutcomeInput => {
  const parsed = RecordOutcomeSchema.safeParse(payload);
  if (!parsed.success)
    throw new InvalidSagaInput(`not a record-outcome payload: ${describeIssues(parsed.error)}`);
  return parsed.data as RecordOutcomeInput;
};
