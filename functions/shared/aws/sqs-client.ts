import { SQSClient } from '@aws-sdk/client-sqs';
import { endpointFor } from './endpoint';

/**
 * The SQS client, configured as every client is (clients.ts). On the local runtime SQS needs an
 * explicit endpoint: the stand-in's queue URLs name hosts that do not resolve.
 */
export const makeSqsClient = (): SQSClient => {
  const endpoint = endpointFor('SQS');
  return new SQSClient(endpoint ? { endpoint } : {});
};
