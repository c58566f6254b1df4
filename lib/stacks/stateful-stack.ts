import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { IngestBucket } from '../constructs/ingest-bucket';
import { OrderTables } from '../constructs/order-tables';
import { OUTPUTS, parameterName, type SharedParameter } from '../contract';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Everything that holds data: the ingest bucket and the tables. Deployed rarely, retained always. */
export class StatefulStack extends Stack {
  readonly ingest: IngestBucket;
  readonly tables: OrderTables;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const days = (n: number) => Duration.days(n);

    this.ingest = new IngestBucket(this, 'Ingest', {
      incomingExpiry: days(config.bucket.incomingExpiryDays),
      rejectedExpiry: days(config.bucket.rejectedExpiryDays),
      processedExpiry: days(config.bucket.processedExpiryDays),
      noncurrentVersionExpiry: days(config.bucket.noncurrentVersionExpiryDays),
      abortIncompleteMultipartUpload: days(config.bucket.abortIncompleteMultipartUploadDays),
      accessLogsExpiry: days(config.bucket.accessLogsExpiryDays),
    });
    this.tables = new OrderTables(this, 'Tables', { deletionProtection: config.tables.deletionProtection });

    const shared: Record<SharedParameter, { value: string; output: string }> = {
      ingestBucketName: { value: this.ingest.bucket.bucketName, output: OUTPUTS.ingestBucketName },
      ordersTableName: { value: this.tables.orders.tableName, output: OUTPUTS.ordersTableName },
      inventoryTableName: { value: this.tables.inventory.tableName, output: OUTPUTS.inventoryTableName },
      reservationsTableName: {
        value: this.tables.reservations.tableName,
        output: OUTPUTS.reservationsTableName,
      },
      paymentsTableName: { value: this.tables.payments.tableName, output: OUTPUTS.paymentsTableName },
      idempotencyTableName: {
        value: this.tables.idempotency.tableName,
        output: OUTPUTS.idempotencyTableName,
      },
      providerTableName: { value: this.tables.provider.tableName, output: OUTPUTS.providerTableName },
    };
    for (const [key, { value, output }] of Object.entries(shared) as [
      SharedParameter,
      { value: string; output: string },
    ][]) {
      // Published for the pipeline stack (see lib/contract.ts for why not an export).
      new StringParameter(this, `${output}Parameter`, {
        parameterName: parameterName(config.stage, key),
        stringValue: value,
        description: `orderflow ${config.stage}: ${key}`,
      });
      // Plain outputs (no exportName) for the CLI: nothing imports them, so nothing freezes.
      new CfnOutput(this, output, { value });
    }
  }
}
