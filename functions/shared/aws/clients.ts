import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients configured the same way in AWS and on the local runtime. In AWS no
 * endpoint variable is set and the SDK's defaults apply. Locally the runtime sets the
 * standard `AWS_ENDPOINT_URL_<SERVICE>` variables; S3 then needs path-style URLs and SQS
 * an explicit endpoint, because the stand-in's queue URLs name hosts that do not resolve.
 * S3 checksums keep the SDK's defaults here: the local runtime and the tests relax them for
 * the stand-in through the SDK's own AWS_REQUEST_CHECKSUM_CALCULATION and
 * AWS_RESPONSE_CHECKSUM_VALIDATION variables (local/lambda/environment.ts).
 */
const endpointFor = (service: 'S3' | 'SQS' | 'DYNAMODB' | 'SFN' | 'SNS'): string | undefined =>
  process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;

export const makeS3Client = (): S3Client => {
  const endpoint = endpointFor('S3');
  return new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
};

export const makeSqsClient = (): SQSClient => {
  const endpoint = endpointFor('SQS');
  return new SQSClient(endpoint ? { endpoint } : {});
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
