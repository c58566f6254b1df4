import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ORDERS_BY_STATUS_INDEX } from '../contract';

export interface OrderTablesProps {
  /** Refuse DeleteTable even when someone removes the table from the template. */
  readonly deletionProtection: boolean;
}

/**
 * The five tables of the brief, and the simulated provider's books. On demand, PITR, AWS-managed KMS
 * encryption and RETAIN for all: they hold orders, stock and money, which outlive any stack.
 */
export class OrderTables extends Construct {
  readonly orders: TableV2;
  readonly inventory: TableV2;
  readonly reservations: TableV2;
  readonly payments: TableV2;
  readonly idempotency: TableV2;
  /**
   * The simulated payment provider's and carrier's own books (charges, refunds, voids, bookings,
   * cancellations; partition key `pk` = `payment#<orderId>` | `shipment#<orderId>`). They play the
   * provider's side, so they are the external record the checker reads money and parcels from.
   */
  readonly provider: TableV2;

  constructor(scope: Construct, id: string, props: OrderTablesProps) {
    super(scope, id);
    const table = (tableId: string, partitionKey: string, timeToLiveAttribute?: string) =>
      new TableV2(this, tableId, {
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.awsManagedKey(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: props.deletionProtection,
        removalPolicy: RemovalPolicy.RETAIN,
        timeToLiveAttribute,
      });

    this.orders = table('Orders', 'orderId');
    // `orderflow orders --status S --since T` queries this instead of scanning the table. Every order
    // item has both keys (each status write sets updatedAt). A few statuses are the partition keys,
    // so a status's writes share one index partition: fine at this pipeline's rates (see
    // docs/architecture.md, "Orders by status").
    this.orders.addGlobalSecondaryIndex({
      indexName: ORDERS_BY_STATUS_INDEX,
      partitionKey: { name: 'status', type: AttributeType.STRING },
      sortKey: { name: 'updatedAt', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['statusReason', 'correlationId', 'createdAt'],
    });
    this.inventory = table('Inventory', 'sku');
    this.reservations = table('Reservations', 'orderId');
    this.payments = table('Payments', 'orderId');
    // Powertools idempotency layout: partition key `id`, expiry epoch seconds in `expiration`.
    this.idempotency = table('Idempotency', 'id', 'expiration');
    this.provider = table('SimulatedProvider', 'pk');
  }
}
