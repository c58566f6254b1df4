import { randomUUID } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalTopology } from '../derive/types';
import type { DestinationSender } from './async-invoke';

/**
 * Delivers to an ARN the way Lambda destinations and S3 notifications do: a queue gets the body as
 * a message (FIFO queues a group and a fresh dedup id), a topic gets it published, a function gets
 * it as an async event. These are the AWS services' own deliveries, so they go straight to the
 * stand-ins rather than through the counting endpoint.
 */
export const makeDestinationSender =
  (
    topology: LocalTopology,
    clients: { readonly sqs: SQSClient; readonly sns: SNSClient },
    invokeFunction: (arn: string, event: unknown) => boolean,
  ): DestinationSender =>
  async (arn, body) => {
    const queue = topology.queues.find((candidate) => candidate.arn === arn);
    if (queue) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          ...(queue.fifo ? { MessageGroupId: 'destination', MessageDeduplicationId: randomUUID() } : {}),
        }),
      );
      return;
    }
    if (topology.topics.some((topic) => topic.arn === arn)) {
      await clients.sns.send(new PublishCommand({ TopicArn: arn, Message: body }));
      return;
    }
    if (invokeFunction(arn, JSON.parse(body))) return;
    throw new Error(`destination ${arn} is not emulated locally`);
  };
