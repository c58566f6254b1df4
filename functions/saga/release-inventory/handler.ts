import type { Context } from 'aws-lambda';
import { DynamoInventory } from '#shared/adapters/dynamo-inventory';
import { systemClock } from '#shared/adapters/system-clock';
import type { ReleaseSummary } from '#shared/domain/saga-state';
import { releaseInventory } from '#shared/domain/steps/release-inventory';
import { env } from '#shared/env';
import { makePowertools } from '#shared/powertools';
import { tracedDocumentClient } from '../clients';
import { runSagaStep } from '../run-step';

const powertools = makePowertools('release-inventory');
const deps = {
  inventory: new DynamoInventory(tracedDocumentClient(powertools), {
    inventoryTable: env('INVENTORY_TABLE'),
    reservationsTable: env('RESERVATIONS_TABLE'),
  }),
  clock: systemClock,
};

/** ReleaseInventory (compensation): gives back what the order reserved, once. */
export const handler = (event: unknown, context?: Context): Promise<ReleaseSummary> =>
  runSagaStep(powertools, event, context, (state) => releaseInventory(state, deps));
