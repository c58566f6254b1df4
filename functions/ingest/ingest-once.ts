import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { ResponseHook } from '@aws-lambda-powertools/idempotency/types';
import { type IngestDeps, type IngestInvocation, ingestObject } from './ingest-object';
import type { ObjectRef } from './object-ref';
import type { IngestSummary } from './rejects-report';

export interface IngestOutcome extends IngestSummary {
  /** True when this object version was already ingested and the stored outcome is returned. */
  readonly duplicate: boolean;
}

/** Marks a stored result as a replay, so the caller neither logs nor counts it twice. */
const markDuplicate: ResponseHook = (response) =>
  typeof response === 'object' && response !== null && !Array.isArray(response)
    ? { ...response, duplicate: true }
    : response;

/**
 * File-level idempotency: the key is bucket, key and version (versionId, else the sequencer), so
 * S3 delivering one notification twice ingests the version once, while a new upload of the same
 * key (a new version) is ingested again. The record is INPROGRESS, expiring with the invocation,
 * while the file is read, and COMPLETED only after the rejects report is written.
 * @param expiresAfterSeconds how long a completed file is remembered. @default one day
 */
export const makeIngestIdempotencyConfig = (expiresAfterSeconds = 86_400): IdempotencyConfig =>
  new IdempotencyConfig({
    eventKeyJmesPath: '[bucket, key, version]',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds,
    responseHook: markDuplicate,
  });

/** Stable across function renames and redeploys, so a renamed function still recognises old files. */
export const INGEST_KEY_PREFIX = 'orderflow-ingest';

/** Ingests an object version once; only `ref` keys the idempotency record. */
export type IngestOnce = (ref: ObjectRef, invocation?: IngestInvocation) => Promise<IngestOutcome>;

export const makeIngestOnce = (
  deps: IngestDeps,
  persistenceStore: BasePersistenceLayer,
  config: IdempotencyConfig,
): IngestOnce =>
  makeIdempotent(
    async (ref: ObjectRef, invocation: IngestInvocation = {}): Promise<IngestOutcome> => ({
      ...(await ingestObject(ref, deps, invocation)),
      duplicate: false,
    }),
    { persistenceStore, config, keyPrefix: INGEST_KEY_PREFIX, dataIndexArgument: 0 },
  );
