import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { endpointFor } from './endpoint';

/**
 * SDK clients configured the same way in AWS and on the local runtime (see endpoint.ts). S3
 * needs path-style URLs on the local runtime. S3 checksums keep the SDK's defaults here: the
 * local runtime and the tests relax them for the stand-in through the SDK's own
 * AWS_REQUEST_CHECKSUM_CALCULATION and AWS_RESPONSE_CHECKSUM_VALIDATION variables
 * (local/lambda/environment.ts).
 */
// A module of its own: process-order's DLQ sender bundles it without the other clients.
export { makeSqsClient } from './sqs-client';

export const makeS3Client = (): S3Client => {
  const endpoint = endpointFor('S3');
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
};

export const makeDynamoDbClient = (): DynamoDBClient => {
  const endpoint = endpointFor('DYNAMODB');
  return new DynamoDBClient(endpoint ? { endpoint } : {});
};

export const makeDocumentClient = (client: DynamoDBClient = makeDynamoDbClient()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const makeSfnClient = (): SFNClient => {
  const endpoint = endpointFor('SFN');
  return new SFNClient(endpoint ? { endpoint } : {});
};

export const makeSnsClient = (): SNSClient => {
  const endpoint = endpointFor('SNS');
  return new SNSClient(endpoint ? { endpoint } : {});
};
