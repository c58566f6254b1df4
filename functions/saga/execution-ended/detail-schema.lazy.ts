import * as z from '#shared/schemas/zod';

/**
 * The fields used from EventBridge's "Step Functions Execution Status Change" detail. The handler
 * checks the usual detail without it (plainDetail) and loads this module only for any other.
 */
export const DetailSchema = z.looseObject({
  executionArn: z.string(),
  name: z.string().check(z.minLength(1)),
  status: z.string(),
  error: z.nullish(z.string()),
  cause: z.nullish(z.string()),
  input: z.nullish(z.string()),
});
