import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefixes of the ingest bucket; the ingest function and the CLI use the same ones. */
export const INGEST_PREFIXES = {
  incoming: 'incoming/',
  rejected: 'rejected/',
  processed: 'processed/',
} as const;

export interface IngestBucketProps {
  readonly incomingExpiry: Duration;
  readonly rejectedExpiry: Duration;
  readonly processedExpiry: Duration;
  readonly noncurrentVersionExpiry: Duration;
  readonly abortIncompleteMultipartUpload: Duration;
  readonly accessLogsExpiry: Duration;
}

/**
 * The bucket order files are dropped into, plus the bucket its server access logs go to.
 * Versioned so a notification names an exact object version (file-level idempotency keys on it);
 * lifecycle rules keep each prefix and old versions from growing without bound.
 */
export class IngestBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: IngestBucketProps) {
    super(scope, id);

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access logging delivers only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: props.accessLogsExpiry,
          abortIncompleteMultipartUploadAfter: props.abortIncompleteMultipartUpload,
        },
      ],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server access log destination of the ingest bucket; logging it as well ' +
        'would need a third bucket (or log into itself, which AWS advises against) for no audit gain.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'ingest-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-incoming', prefix: INGEST_PREFIXES.incoming, expiration: props.incomingExpiry },
        { id: 'expire-rejected', prefix: INGEST_PREFIXES.rejected, expiration: props.rejectedExpiry },
        { id: 'expire-processed', prefix: INGEST_PREFIXES.processed, expiration: props.processedExpiry },
        {
          // Expiry in a versioned bucket only adds delete markers: this rule removes what they hide.
          id: 'housekeeping',
          noncurrentVersionExpiration: props.noncurrentVersionExpiry,
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: props.abortIncompleteMultipartUpload,
        },
      ],
    });
  }
}
