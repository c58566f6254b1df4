import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createResources } from '../../local/resources';
import { fauxqsQueueUrl } from '../../local/stand-ins';
import { deriveTopology, type LocalQueue, synthesizeApp } from '../../local/topology';

/**
 * The queues the runtime creates from the derived topology redrive exactly as the CDK configures:
 * the app is synthesized with another maxReceiveCount, and the stand-in (fauxqs, started by the
 * integration globalSetup) moves the message after that many receives.
 */
describe('local redrive follows the CDK configuration', () => {
  const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS ?? '';
  const sqs = new SQSClient({ endpoint: sqsEndpoint });

  afterAll(() => sqs.destroy());

  it('moves a message to the DLQ on the receive after maxReceiveCount receives (2 here, 5 by default)', async () => {
    // Arrange
    const topology = deriveTopology(synthesizeApp({ context: { ordersMaxReceiveCount: 2 } }), {
      region: 'us-east-1',
      accountId: '000000000000',
      queueUrl: fauxqsQueueUrl(sqsEndpoint, 'us-east-1', '000000000000'),
    });
    const s3 = new S3Client({ endpoint: process.env.AWS_ENDPOINT_URL_S3 ?? '', forcePathStyle: true });
    const sns = new SNSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SNS ?? '' });
    const dynamodb = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '' });
    await createResources(topology, { s3, sqs, sns, dynamodb });
    for (const client of [s3, sns, dynamodb]) client.destroy();
    const orders = topology.queues.find((queue) => queue.fifo && queue.redrive) as LocalQueue;
    const dlq = topology.queues.find(
      (queue) => queue.arn === orders.redrive?.deadLetterTargetArn,
    ) as LocalQueue;
    const groupId = `redrive-${Date.now()}`;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: orders.url,
        MessageBody: '{"poison":true}',
        MessageGroupId: groupId,
        MessageDeduplicationId: groupId,
      }),
    );
    const receive = (queueUrl: string) =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          VisibilityTimeout: 0,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
        }),
      );

    // Act: two receives without a delete (a consumer failing twice), then a third
    const first = await receive(orders.url);
    const second = await receive(orders.url);
    const third = await receive(orders.url);
    const inDlq = await receive(dlq.url);

    // Assert
    expect(orders.redrive?.maxReceiveCount).toBe(2);
    expect([first, second].map((r) => r.Messages?.[0]?.Attributes?.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
    ]);
    expect(third.Messages ?? []).toEqual([]);
    expect(inDlq.Messages?.map((message) => message.Body)).toEqual(['{"poison":true}']);
  });
});
