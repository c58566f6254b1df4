import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient, makeDynamoDbClient } from '#shared/aws/clients';
import type { Powertools } from '#shared/powertools';

/** The document client every saga function uses, traced by its function's tracer. */
export const tracedDocumentClient = ({ tracer }: Powertools): DynamoDBDocumentClient =>
  makeDocumentClient(tracer.captureAWSv3Client(makeDynamoDbClient()));
