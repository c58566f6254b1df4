import * as z from '#shared/schemas/zod';

/**
 * The continuation queue's message: which object version to continue, and the checkpoint that asked.
 * zod/mini, as every function schema (see functions/shared/schemas/zod.ts): the classic build would add
 * all of zod to the bundle. handle-continuation.ts loads this module on first use.
 */
export const ContinuationMessageSchema = z.object({
  bucket: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  versionId: z.optional(z.string().check(z.minLength(1))),
  sequencer: z.string(),
  version: z.string().check(z.minLength(1)),
  size: z.number(),
  checkpoint: z.int().check(z.positive()),
});
