import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

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
    this.inventory = table('Inventory', 'sku');
    this.reservations = table('Reservations', 'orderId');
    this.payments = table('Payments', 'orderId');
    // Powertools idempotency layout: partition key `id`, expiry epoch seconds in `expiration`.
    this.idempotency = table('Idempotency', 'id', 'expiration');
    this.provider = table('SimulatedProvider', 'pk');
  }
}
