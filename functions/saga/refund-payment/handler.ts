import type { Context } from 'aws-lambda';
import { DynamoPaymentLedger } from '#shared/adapters/dynamo-payment-ledger';
import { DynamoProviderBooks } from '#shared/adapters/provider-books';
import { SimulatedPaymentGateway } from '#shared/adapters/simulated-payment-gateway';
import { systemClock } from '#shared/adapters/system-clock';
import type { RefundSummary } from '#shared/domain/saga-state';
import { refundPayment } from '#shared/domain/steps/refund-payment';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('refund-payment');
const documentClient = tracedDocumentClient(powertools);
const deps = {
  ledger: new DynamoPaymentLedger(documentClient, env('PAYMENTS_TABLE')),
  gateway: new SimulatedPaymentGateway(new DynamoProviderBooks(documentClient, env('PROVIDER_TABLE'))),
  clock: systemClock,
};

/** RefundPayment (compensation): refunds what was charged, or voids a charge whose outcome is unknown, once. */
export const handler = (event: unknown, context?: Context): Promise<RefundSummary> =>
  runSagaStep(powertools, event, context, (state) => refundPayment(state, deps));
