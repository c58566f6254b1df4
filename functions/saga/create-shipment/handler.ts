import type { Context } from 'aws-lambda';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { DynamoProviderBooks } from '#shared/adapters/provider-books';
import { SimulatedCarrier } from '#shared/adapters/simulated-carrier';
import { systemClock } from '#shared/adapters/system-clock';
import type { Shipment } from '#shared/domain/ports';
import { createShipment } from '#shared/domain/steps/create-shipment';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('create-shipment');
const documentClient = tracedDocumentClient(powertools);
const deps = {
  // The only carrier this project has; a real carrier's adapter implements the same port.
  carrier: new SimulatedCarrier(new DynamoProviderBooks(documentClient, env('PROVIDER_TABLE'))),
  orders: new DynamoOrderRepository(documentClient, env('ORDERS_TABLE')),
  clock: systemClock,
};

/** CreateShipment: books the shipment once per order; ShippingError cancels the order. */
export const handler = (event: unknown, context?: Context): Promise<Shipment> =>
  runSagaStep(powertools, event, context, (state) => createShipment(state, deps));
