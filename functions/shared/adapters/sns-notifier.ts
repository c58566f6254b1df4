import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier, OrderCompletedNotification } from '#shared/domain/ports';

/** Publishes order notifications as JSON with an `eventType` attribute subscribers can filter on. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(notification: OrderCompletedNotification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: `Order ${notification.orderId} completed`,
        Message: JSON.stringify(notification),
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: notification.eventType },
          orderId: { DataType: 'String', StringValue: notification.orderId },
        },
      }),
    );
  }
}
