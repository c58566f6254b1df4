import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Chaos } from '../chaos/chaos';
import type { FauxqsServer } from '../stand-ins';
import type { BucketNotification, LocalBucket, NotificationTarget } from '../topology';
import { type CreatedObject, coversEvent, objectCreatedRecord } from './s3-event';

export interface NotificationSinks {
  /** Async-invokes a function (S3 invokes Lambda asynchronously). */
  readonly invokeFunction: (arn: string, event: unknown) => void;
  /** Sends the event JSON to a queue or topic. */
  readonly deliver: (target: NotificationTarget, body: string) => Promise<void>;
  readonly onError: (message: string) => void;
}

/** S3 delivering a notification more than once (chaos): at once, or again after `laterMs`. */
export interface DuplicateDeliveries {
  readonly chaos: Chaos;
  readonly laterMs: number;
}

const matches = (notification: BucketNotification, key: string, how: string): boolean =>
  coversEvent(notification.events, how) &&
  (notification.prefix === undefined || key.startsWith(notification.prefix)) &&
  (notification.suffix === undefined || key.endsWith(notification.suffix));

/**
 * Plays S3's part in event notifications: fauxqs's message spy reports every upload; for each
 * notification of the bucket whose events and prefix/suffix filter match, the runtime builds the
 * event S3 would send (size and ETag from HeadObject, a sequencer that grows with every write) and
 * hands it to the target. fauxqs keeps no object versions, so events carry no versionId.
 */
export class S3Notifier {
  private sequence = 0n;
  private inFlight = 0;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly buckets: readonly LocalBucket[],
    private readonly s3: S3Client,
    private readonly region: string,
    private readonly sinks: NotificationSinks,
    private readonly duplicates?: DuplicateDeliveries,
  ) {}

  get pending(): number {
    return this.inFlight;
  }

  /**
   * Listens through a spy filter that never matches: fauxqs calls pending filters for every new
   * message, and one that never resolves keeps listening until the spy is cleared at stop.
   */
  listen(fauxqs: FauxqsServer): void {
    fauxqs.spy
      .waitForMessage((message) => {
        if (message.service === 's3' && (message.status === 'uploaded' || message.status === 'copied')) {
          this.onCreated(message.bucket, message.key, message.status === 'copied' ? 'Copy' : 'Put');
        }
        return false;
      })
      .catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private onCreated(bucketName: string, key: string, how: string): void {
    if (this.stopped) return;
    const bucket = this.buckets.find((candidate) => candidate.name === bucketName);
    const wanted = bucket?.notifications.filter((notification) => matches(notification, key, how)) ?? [];
    if (wanted.length === 0) return;
    // Taken now, in upload order, as S3 orders the events of one key.
    this.sequence += 1n;
    const sequencer = (BigInt(Date.now()) * 1_000_000n + this.sequence)
      .toString(16)
      .toUpperCase()
      .padStart(18, '0');
    this.inFlight += 1;
    void this.notify(bucketName, key, how, sequencer, wanted).finally(() => {
      this.inFlight -= 1;
    });
  }

  private async notify(
    bucket: string,
    key: string,
    how: string,
    sequencer: string,
    notifications: readonly BucketNotification[],
  ): Promise<void> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      const eTag = (head.ETag ?? '').replaceAll('"', '');
      const object: CreatedObject = {
        bucket,
        key,
        size: head.ContentLength ?? 0,
        eTag,
        sequencer,
        how: how === 'Put' && eTag.includes('-') ? 'CompleteMultipartUpload' : how,
      };
      for (const notification of notifications) {
        const record = objectCreatedRecord(
          object,
          this.region,
          `local-${notification.configuredBy.split('/').pop()}`,
        );
        const event = { Records: [record] };
        const deliver = async (): Promise<void> => {
          if (notification.target.kind === 'function')
            this.sinks.invokeFunction(notification.target.arn, event);
          else await this.sinks.deliver(notification.target, JSON.stringify(event));
        };
        await deliver();
        // S3 delivers at least once: the same event again, at once or minutes later.
        const again = this.duplicates?.chaos.notificationDelivery(`s3://${bucket}/${key}`) ?? 'once';
        if (again === 'twice') await deliver();
        if (again === 'again-later' && this.duplicates !== undefined) {
          this.inFlight += 1;
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            if (!this.stopped) void deliver().catch((error) => this.sinks.onError(String(error)));
            this.inFlight -= 1;
          }, this.duplicates.laterMs);
          this.timers.add(timer);
        }
      }
    } catch (error) {
      this.sinks.onError(`S3 notification for s3://${bucket}/${key} failed: ${String(error)}`);
    }
  }
}
