import { type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { StageName } from '../config';
import { parameterName, type SharedParameter } from '../contract';

type TableKey = 'orders' | 'inventory' | 'reservations' | 'payments' | 'idempotency' | 'provider';

/**
 * The stateful stack's bucket and tables as seen from another stack: imported by the names the
 * stateful stack publishes in SSM (see lib/contract.ts). Each lookup becomes a template parameter
 * only when first used, so a stack never carries parameters it does not reference.
 */
export class SharedResources extends Construct {
  private readonly stage: StageName;
  private readonly tables = new Map<TableKey, ITableV2>();
  private importedBucket?: IBucket;

  constructor(scope: Construct, id: string, props: { readonly stage: StageName }) {
    super(scope, id);
    this.stage = props.stage;
  }

  get bucket(): IBucket {
    this.importedBucket ??= Bucket.fromBucketName(this, 'IngestBucket', this.lookup('ingestBucketName'));
    return this.importedBucket;
  }

  table(key: TableKey): ITableV2 {
    const existing = this.tables.get(key);
    if (existing) return existing;
    const table = TableV2.fromTableName(this, `${key}-table`, this.lookup(`${key}TableName`));
    this.tables.set(key, table);
    return table;
  }

  private lookup(key: SharedParameter): string {
    return StringParameter.valueForStringParameter(this, parameterName(this.stage, key));
  }
}
