import { Match, Template } from 'aws-cdk-lib/assertions';
import { ORDERS_BY_STATUS_INDEX } from '../../lib/contract';
import { buildApp } from './support/app';

const { stateful } = buildApp();
const template = Template.fromStack(stateful);

const bucketWithVersioning = { VersioningConfiguration: { Status: 'Enabled' } };

describe('StatefulStack: ingest bucket', () => {
  it('blocks public access, encrypts with S3-managed keys and keeps versions', () => {
    // Assert
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...bucketWithVersioning,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  it('expires each prefix, old versions and abandoned multipart uploads', () => {
    // Assert
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...bucketWithVersioning,
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'incoming/', ExpirationInDays: 7, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'rejected/', ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'processed/', ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
            ExpiredObjectDeleteMarker: true,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ]),
      },
    });
  });

  it('writes server access logs to the access-logs bucket', () => {
    // Assert
    template.hasResourceProperties('AWS::S3::Bucket', {
      ...bucketWithVersioning,
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^IngestAccessLogs') },
        LogFilePrefix: 'ingest-bucket/',
      },
    });
  });

  it('denies every request that does not use TLS, on both buckets', () => {
    // Arrange
    const denyInsecure = Match.objectLike({
      Effect: 'Deny',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });

    // Assert
    for (const bucket of ['^IngestBucket', '^IngestAccessLogs']) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp(bucket) },
        PolicyDocument: { Statement: Match.arrayWith([denyInsecure]) },
      });
    }
  });
});

describe('StatefulStack: tables', () => {
  it.each([
    ['Orders', 'orderId'],
    ['Inventory', 'sku'],
    ['Reservations', 'orderId'],
    ['Payments', 'orderId'],
    ['Idempotency', 'id'],
    ['SimulatedProvider', 'pk'],
  ])('keeps the %s table on demand, encrypted, with PITR, retained on stack deletion', (id, key) => {
    // Act
    const matching = template.findResources('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        // The orders table also defines its ByStatus index's keys.
        AttributeDefinitions: Match.arrayWith([{ AttributeName: key, AttributeType: 'S' }]),
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      }),
    });

    // Assert: the logical id carries the construct id, so this is the table of that name
    expect(Object.keys(matching)).toContainEqual(
      expect.stringMatching(new RegExp(`^Tables${id}[0-9A-F]{8}$`)),
    );
  });

  it('indexes orders by status and last change, so `orderflow orders` queries instead of scanning', () => {
    // Assert
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: ORDERS_BY_STATUS_INDEX,
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
          Projection: Match.objectLike({ ProjectionType: 'INCLUDE' }),
        }),
      ],
    });
  });

  it('expires idempotency records through the expiration attribute', () => {
    // Assert
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('turns on deletion protection in prod only', () => {
    // Arrange
    const prod = Template.fromStack(buildApp({ stage: 'prod' }).stateful);
    const deletionProtection = (t: Template) =>
      Object.values(t.findResources('AWS::DynamoDB::GlobalTable')).map(
        (r) => r.Properties.Replicas[0].DeletionProtectionEnabled,
      );

    // Assert
    expect(new Set(deletionProtection(prod))).toEqual(new Set([true]));
    expect(new Set(deletionProtection(template))).toEqual(new Set([false]));
  });
});

describe('StatefulStack: names', () => {
  it('gives no resource a physical name', () => {
    // Arrange
    const named = Object.entries(template.toJSON().Resources as Record<string, { Properties?: object }>)
      .filter(([, r]) => ['BucketName', 'TableName'].some((p) => p in (r.Properties ?? {})))
      .map(([id]) => id);

    // Assert
    expect(named).toEqual([]);
  });

  it('publishes the bucket and table names in SSM and as plain outputs, never as exports', () => {
    // Assert
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/orderflow/dev/ingest-bucket/name',
      Value: { Ref: Match.stringLikeRegexp('^IngestBucket') },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/orderflow/dev/tables/orders/name',
      Value: { Ref: Match.stringLikeRegexp('^TablesOrders') },
    });
    template.hasOutput('OrdersTableName', { Value: { Ref: Match.stringLikeRegexp('^TablesOrders') } });
    template.hasOutput('IngestBucketName', { Export: Match.absent() });
    expect(JSON.stringify(template.toJSON().Outputs)).not.toContain('Export');
  });
});
