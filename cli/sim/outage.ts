import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  OUTAGE_KINDS,
  type Outage,
  type OutageKind,
  outageKey,
  outageOf,
} from '#shared/adapters/provider-books';

/** A kind the simulated provider knows, or an error naming the ones it does. */
export const parseOutageKind = (value: string): OutageKind => {
  const kind = OUTAGE_KINDS.find((candidate) => candidate === value);
  if (kind === undefined) {
    throw new OutageKindError(`unknown outage kind "${value}": use one of ${OUTAGE_KINDS.join(', ')}`);
  }
  return kind;
};

export class OutageKindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutageKindError';
  }
}

/**
 * Starts an outage of the simulated provider: from now on it answers no call of that kind
 * (a transient gateway error the saga retries, then fails the execution at the owed step).
 * One item in the provider's books table; starting it again keeps the first start time.
 */
export const startOutage = async (
  dynamodb: DynamoDBDocumentClient,
  providerTable: string,
  kind: OutageKind,
  now: Date,
  note?: string,
): Promise<Outage> => {
  const existing = await readOutage(dynamodb, providerTable, kind);
  if (existing) return existing;
  const item = { pk: outageKey(kind), since: now.toISOString(), ...(note ? { note } : {}) };
  await dynamodb.send(new PutCommand({ TableName: providerTable, Item: item }));
  return outageOf(kind, item) as Outage;
};

/** Ends the outage: the provider answers again. Returns the outage that ended, if there was one. */
export const endOutage = async (
  dynamodb: DynamoDBDocumentClient,
  providerTable: string,
  kind: OutageKind,
): Promise<Outage | undefined> => {
  const { Attributes } = await dynamodb.send(
    new DeleteCommand({ TableName: providerTable, Key: { pk: outageKey(kind) }, ReturnValues: 'ALL_OLD' }),
  );
  return outageOf(kind, Attributes);
};

export const readOutage = async (
  dynamodb: DynamoDBDocumentClient,
  providerTable: string,
  kind: OutageKind,
): Promise<Outage | undefined> => {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: providerTable, Key: { pk: outageKey(kind) }, ConsistentRead: true }),
  );
  return outageOf(kind, Item);
};

/** Every kind with its outage, if any: what `orderflow sim outage status` prints. */
export const outageStatus = async (
  dynamodb: DynamoDBDocumentClient,
  providerTable: string,
): Promise<{ readonly kind: OutageKind; readonly outage?: Outage }[]> =>
  Promise.all(
    OUTAGE_KINDS.map(async (kind) => {
      const outage = await readOutage(dynamodb, providerTable, kind);
      return outage ? { kind, outage } : { kind };
    }),
  );

export const formatOutage = (kind: OutageKind, outage: Outage | undefined): string =>
  outage
    ? `${kind}: outage since ${outage.since}${outage.note ? ` (${outage.note})` : ''}`
    : `${kind}: answering`;
