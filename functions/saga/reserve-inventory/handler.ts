import type { Context } from 'aws-lambda';
import { DynamoInventory } from '#shared/adapters/dynamo-inventory';
import { DynamoOrderRepository } from '#shared/adapters/dynamo-order-repository';
import { systemClock } from '#shared/adapters/system-clock';
import type { ReservationSummary } from '#shared/domain/saga-state';
import { reserveInventory } from '#shared/domain/steps/reserve-inventory';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('reserve-inventory');
const documentClient = tracedDocumentClient(powertools);
const deps = {
  inventory: new DynamoInventory(documentClient, {
    inventoryTable: env('INVENTORY_TABLE'),
    reservationsTable: env('RESERVATIONS_TABLE'),
  }),
  orders: new DynamoOrderRepository(documentClient, env('ORDERS_TABLE')),
  clock: systemClock,
};

/** ReserveInventory: takes the order's stock; OutOfStock / UnknownSku reject the order. */
export const handler = (event: unknown, context?: Context): Promise<ReservationSummary> =>
  runSagaStep(powertools, event, context, (state) => reserveInventory(state, deps));
