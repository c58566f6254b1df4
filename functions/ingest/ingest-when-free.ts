import { setTimeout as sleepFor } from 'node:timers/promises';
import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { IngestOnce, IngestOutcome } from './ingest-once';
import type { ObjectRef } from './object-ref';

export interface InProgressPolicy {
  /**
   * Time this invocation keeps for itself: to ingest the file should the other marker expire, or
   * to fail cleanly before its own timeout. At most Lambda's one-minute async retry delay, so a
   * retry always outlives the marker its own crashed attempt left (see below). @default 30 s
   */
  readonly reserveMs: number;
  /** First pause between attempts; it doubles up to `maxPollMs`. @default 500 ms */
  readonly firstPollMs: number;
  /** @default 5 s */
  readonly maxPollMs: number;
}

export const DEFAULT_IN_PROGRESS_POLICY: InProgressPolicy = {
  reserveMs: 30_000,
  firstPollMs: 500,
  maxPollMs: 5_000,
};

/**
 * Time an ingest keeps back from retrying SendMessageBatch: enough to abort the rejects report's
 * upload and let the idempotency layer delete its marker before Lambda's timeout would cut it off.
 */
export const DEFAULT_ENQUEUE_RESERVE_MS = 15_000;

/**
 * Time left at which an invocation stops reading and hands the rest of the file to a continuation:
 * room for the calls in flight to settle (their retries stop at the enqueue reserve), the report
 * part (up to 5 MiB), the checkpoint and the continuation message.
 */
export const DEFAULT_CONTINUE_RESERVE_MS = 60_000;

export interface IngestWhenFreeDeps {
  readonly ingestOnce: IngestOnce;
  readonly logger: Logger;
  /** The invocation's time left (the Lambda context's getRemainingTimeInMillis). */
  readonly remainingTimeInMillis: () => number;
  /** Time the ingest keeps after its last send retry, to fail cleanly before the timeout. @default 15 s */
  readonly enqueueReserveMs?: number;
  /** Time left at which the ingest pauses and continues in a fresh invocation. @default 60 s */
  readonly continueReserveMs?: number;
  /** Called once, when the object version is first found in progress elsewhere. */
  readonly onInProgressElsewhere: () => void;
  /** For tests: how a pause passes. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly policy?: Partial<InProgressPolicy>;
}

export interface IngestWhenFreeResult {
  readonly outcome: IngestOutcome;
  /** Another invocation held the object version when this one first tried. */
  readonly waitedForOtherInvocation: boolean;
}

/**
 * Ingests an object version, waiting while another invocation holds its idempotency marker
 * (INPROGRESS), instead of failing at once: a duplicate S3 notification that arrives while a large
 * file is still being read then ends with the stored outcome rather than in the failures queue.
 *
 * Why wait rather than return "in progress elsewhere" at once: nothing tells a live holder from a
 * dead one. Powertools sets the marker's in-progress expiry to the holder's deadline (remaining
 * time at the start), so a holder that crashed early (out of memory, runtime exit) leaves a marker
 * that stays valid for minutes, and Lambda retries that crashed event about a minute later — while
 * the stale marker still stands. Had the retry returned success, the file would be lost: S3 does
 * not notify again. Waiting is always safe instead:
 *  - the holder finishes: the next attempt returns its stored outcome (marked duplicate);
 *  - the holder fails: Powertools deletes the marker and the next attempt ingests the file here
 *    (the holder's event is retried too and then finds it done);
 *  - the holder crashed: its marker expires at its deadline, which normally comes before this
 *    invocation's deadline (same function and timeout, started later); Powertools then lets the
 *    next attempt take the marker over and ingest the file here. A retry of the crashed event itself
 *    arrives at least a minute after the crash, so with a reserve under a minute it outwaits the marker.
 * Only when the marker outlives this invocation's time minus the reserve does it fail, so Lambda
 * retries the event later (and the failures queue keeps it after the last retry): it never reports
 * success for a file nobody finished.
 */
export const ingestWhenFree = async (
  ref: ObjectRef,
  deps: IngestWhenFreeDeps,
): Promise<IngestWhenFreeResult> => {
  const policy = { ...DEFAULT_IN_PROGRESS_POLICY, ...deps.policy };
  const sleep = deps.sleep ?? ((ms: number) => sleepFor(ms));
  let pause = policy.firstPollMs;
  let waited = false;
  for (;;) {
    try {
      const reserve = deps.enqueueReserveMs ?? DEFAULT_ENQUEUE_RESERVE_MS;
      const continueReserve = deps.continueReserveMs ?? DEFAULT_CONTINUE_RESERVE_MS;
      const outcome = await deps.ingestOnce(ref, {
        timeLeftMs: () => deps.remainingTimeInMillis() - reserve,
        pauseNow: () => deps.remainingTimeInMillis() < continueReserve,
      });
      return { outcome, waitedForOtherInvocation: waited };
    } catch (error) {
      if (!(error instanceof IdempotencyAlreadyInProgressError)) throw error;
      if (!waited) {
        waited = true;
        deps.onInProgressElsewhere();
        deps.logger.info(
          'object version is being ingested by another invocation: waiting until it finishes or its marker expires',
        );
      }
      const spare = deps.remainingTimeInMillis() - policy.reserveMs;
      if (spare <= 0) {
        deps.logger.warn(
          'object version is still being ingested by another invocation and this one is out of time: ' +
            'failing so Lambda retries the event later',
        );
        throw error;
      }
      await sleep(Math.min(pause, spare));
      pause = Math.min(pause * 2, policy.maxPollMs);
    }
  }
};
