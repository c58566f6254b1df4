import { randomUUID } from 'node:crypto';
import {
  IdempotencyRecordStatus,
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';

/** A random token each conditional put of an idempotency marker writes, to know the marker as its own. */
export const PUT_TOKEN_ATTRIBUTE = 'put_token';

const isPutItem = (commandName: string, input: unknown): input is PutItemCommandInput =>
  commandName === 'PutItemCommand' && typeof input === 'object' && input !== null;

/**
 * Powertools' DynamoDB persistence layer on `client`, whose in-progress marker survives a lost answer.
 *
 * When DynamoDB wrote the marker but its answer was lost (a connection reset, a timeout), the SDK
 * sends the PutItem again; its condition then fails on the marker the first attempt wrote, and
 * Powertools reports the key as in progress elsewhere: the invocation would lock itself out until its
 * own deadline (a message spends one of its receives; an S3 event waits out the ingest's timeout).
 * So every conditional PutItem of an in-progress marker to `tableName` carries a random token (one per put, the same in the
 * SDK's retries of it), and a put whose condition failed on an item holding its own token has
 * written it: it succeeded. Another invocation's marker holds another token, however alike the rest
 * (two invocations may share a deadline to the millisecond), and still keeps this one out.
 */
export const lostAnswerSafePersistenceLayer = (options: {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}): DynamoDBPersistenceLayer => {
  const { tableName, client } = options;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const { input } = args;
      if (
        !isPutItem(context.commandName ?? '', input) ||
        input.TableName !== tableName ||
        input.ConditionExpression === undefined ||
        // Powertools' default attribute names, which orderflow keeps.
        input.Item?.[PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr]?.S !== IdempotencyRecordStatus.INPROGRESS
      ) {
        return next(args);
      }
      const token = randomUUID();
      const item: Record<string, AttributeValue> = { ...input.Item, [PUT_TOKEN_ATTRIBUTE]: { S: token } };
      try {
        return await next({
          ...args,
          input: { ...input, Item: item, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
        });
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException &&
          error.Item?.[PUT_TOKEN_ATTRIBUTE]?.S === token
        ) {
          return { output: { $metadata: error.$metadata }, response: error.$response };
        }
        throw error;
      }
    },
    { step: 'initialize', name: `lostAnswerSafePut:${tableName}`, override: true },
  );
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
};
