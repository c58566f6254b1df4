import type { Context } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { DynamoPaymentLedger } from '#shared/adapters/dynamo-payment-ledger';
import { DynamoProviderBooks } from '#shared/adapters/provider-books';
import { SimulatedPaymentGateway } from '#shared/adapters/simulated-payment-gateway';
import { systemClock } from '#shared/adapters/system-clock';
import type { PaymentSummary } from '#shared/domain/saga-state';
import { chargePayment } from '#shared/domain/steps/charge-payment';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('charge-payment');
const documentClient = tracedDocumentClient(powertools);
const deps = {
  ledger: new DynamoPaymentLedger(documentClient, env('PAYMENTS_TABLE')),
  // The only gateway this project has; a real provider's adapter implements the same port.
  gateway: new SimulatedPaymentGateway(new DynamoProviderBooks(documentClient, env('PROVIDER_TABLE'))),
  orders: new DynamoOrderRepository(documentClient, env('ORDERS_TABLE')),
  clock: systemClock,
};

/** ChargePayment: charges once per order; PaymentDeclined / InsufficientFunds cancel the order. */
export const handler = (event: unknown, context?: Context): Promise<PaymentSummary> =>
  runSagaStep(powertools, event, context, (state) => chargePayment(state, deps));
