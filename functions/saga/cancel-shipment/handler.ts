import type { Context } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { DynamoProviderBooks } from '#shared/adapters/provider-books';
import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import { systemClock } from '#shared/adapters/system-clock';
import type { ShipmentCancellationSummary } from '#shared/domain/saga-state';
import { cancelShipment } from '#shared/domain/steps/cancel-shipment';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('cancel-shipment');
const documentClient = tracedDocumentClient(powertools);
const deps = {
  // The carrier CreateShipment books with; a real carrier's adapter implements the same port.
  carrier: new SimulatedCarrier(new DynamoProviderBooks(documentClient, env('PROVIDER_TABLE'))),
  orders: new DynamoOrderRepository(documentClient, env('ORDERS_TABLE')),
  clock: systemClock,
};

/** CancelShipment (compensation): cancels whatever the carrier booked for the order, once. */
export const handler = (event: unknown, context?: Context): Promise<ShipmentCancellationSummary> =>
  runSagaStep(powertools, event, context, (state) => cancelShipment(state, deps));
