import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoInventory } from '#shared/adapters/dynamo-inventory';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { DynamoPaymentLedger } from '#shared/adapters/dynamo-payment-ledger';
import { DynamoProviderBooks } from '#shared/adapters/provider-books';
import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import { SimulatedPaymentGateway } from '#shared/adapters/simulated-payment-gateway';
import { systemClock } from '#shared/adapters/system-clock';
import type { Notifier } from '#shared/domain/ports';
import type { RecordOutcomeInput, SagaInput } from '#shared/domain/saga-state';
import { type AcceptOrderRequest, acceptOrder } from '#shared/domain/steps/accept-order';
import { cancelShipment } from '#shared/domain/steps/cancel-shipment';
import { chargePayment } from '#shared/domain/steps/charge-payment';
import { confirmOrder } from '#shared/domain/steps/confirm-order';
import { createShipment } from '#shared/domain/steps/create-shipment';
import { type ExecutionEnded, recordExecutionEnded } from '#shared/domain/steps/execution-ended';
import { recordOutcome } from '#shared/domain/steps/record-outcome';
import { refundPayment } from '#shared/domain/steps/refund-payment';
import { releaseInventory } from '#shared/domain/steps/release-inventory';
import { reserveInventory } from '#shared/domain/steps/reserve-inventory';
import type { SagaTables } from './saga-tables';

/** For sagas that never reach ConfirmOrder: publishing would be a test bug. */
const noNotifications: Notifier = {
  publish: async () => {
    throw new Error('this test does not expect ConfirmOrder to announce an order');
  },
};

/**
 * The saga's steps over the real adapters, wired as their handlers wire them (DynamoDB tables, the
 * simulated provider and carrier over their books in the provider table), but on the document client
 * given: a test may route it through a gate (test/helpers/dynamo-gate.ts) to choose interleavings.
 */
export const realSagaSteps = (
  documentClient: DynamoDBDocumentClient,
  tables: SagaTables,
  notifier: Notifier = noNotifications,
) => {
  const orders = new DynamoOrderRepository(documentClient, tables.orders);
  const inventory = new DynamoInventory(documentClient, {
    inventoryTable: tables.inventory,
    reservationsTable: tables.reservations,
  });
  const ledger = new DynamoPaymentLedger(documentClient, tables.payments);
  const books = new DynamoProviderBooks(documentClient, tables.provider);
  const gateway = new SimulatedPaymentGateway(books);
  const carrier = new SimulatedCarrier(books);
  const clock = systemClock;
  return {
    AcceptOrder: (request: AcceptOrderRequest) => acceptOrder(request, { orders, clock }),
    ReserveInventory: (input: SagaInput) => reserveInventory(input, { inventory, orders, clock }),
    ChargePayment: (input: SagaInput) => chargePayment(input, { ledger, gateway, orders, clock }),
    CreateShipment: (input: SagaInput) => createShipment(input, { carrier, orders, clock }),
    ConfirmOrder: (input: SagaInput) => confirmOrder(input, { orders, notifier, clock }),
    CancelShipment: (input: SagaInput) => cancelShipment(input, { carrier, orders, clock }),
    RefundPayment: (input: SagaInput) => refundPayment(input, { ledger, gateway, clock }),
    ReleaseInventory: (input: SagaInput) => releaseInventory(input, { inventory, clock }),
    RecordOutcome: (input: RecordOutcomeInput) => recordOutcome(input, { orders, clock }),
    ExecutionEnded: (ended: ExecutionEnded) => recordExecutionEnded(ended, { orders, clock }),
  };
};

export type RealSagaSteps = ReturnType<typeof realSagaSteps>;
