import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { peekMessages, type QueueMessage, queueDepth } from '../shared/queue-messages';
import type { Target } from '../shared/target';

/** Attributes process-order adds when it dead-letters a message; a redriven message drops them. */
const FAILURE_ATTRIBUTES = new Set(['errorType', 'errorReason', 'failedAt', 'sourceMessageId']);

const describe = (message: QueueMessage): string => {
  const a = message.attributes;
  const why = a.errorType
    ? `${a.errorType}: ${a.errorReason ?? ''}`
    : `moved by SQS after ${message.receiveCount} receive(s)`;
  return `  ${(message.groupId ?? message.messageId).padEnd(18)} ${a.failedAt ?? ''}  ${why}`;
};

const depthLine = async ({ clients, names }: Target, shown: number): Promise<string> => {
  const depth = await queueDepth(clients.sqs, names.ordersDlqUrl);
  const total = depth.visible + depth.inFlight + depth.delayed;
  // A FIFO queue hands out one message per group at a time: the listing shows each group's oldest.
  return `${names.ordersDlqUrl}: ${total} message(s)${total > shown ? `, ${shown} shown (the oldest of each group)` : ''}`;
};

/** `orderflow dlq list`: the messages in the orders DLQ with why they are there. */
export const listDlq = async (target: Target, out: NodeJS.WriteStream): Promise<number> => {
  const messages = await peekMessages(target.clients.sqs, target.names.ordersDlqUrl, {
    visibilitySeconds: 0,
  });
  out.write(`${await depthLine(target, messages.length)}\n`);
  for (const message of messages) out.write(`${describe(message)}\n`);
  return 0;
};

/** Long enough to move a round of messages while nobody else can take them. */
const HOLD_SECONDS = 300;

/**
 * `orderflow dlq redrive`: moves the messages that were in the DLQ when it started back to
 * orders.fifo, FIFO-aware: each keeps its message group (the orderId) and gets a fresh
 * deduplication id (the original would be dropped as a duplicate within SQS's five-minute window);
 * original attributes stay, the failure ones go. A message leaves the DLQ only after its send
 * succeeded. Messages sent to the DLQ after the start (an order failing again right away) stay,
 * so a poison message is moved once, not in a loop. Works in rounds because a FIFO queue hands out
 * the next message of a group only once the one before it is gone.
 */
export const redriveDlq = async (
  target: Target,
  options: { readonly dryRun: boolean; readonly max: number },
  out: NodeJS.WriteStream,
): Promise<number> => {
  const { clients, names } = target;
  if (options.dryRun) {
    const messages = await peekMessages(clients.sqs, names.ordersDlqUrl, {
      visibilitySeconds: 0,
      max: options.max,
    });
    out.write(`${await depthLine(target, messages.length)}\n`);
    for (const message of messages) out.write(`would redrive${describe(message)}\n`);
    out.write(`Dry run: nothing moved to ${names.ordersQueueUrl}\n`);
    return 0;
  }
  const startedAt = Date.now();
  let moved = 0;
  for (;;) {
    const round: Message[] = [];
    for (;;) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: names.ordersDlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: HOLD_SECONDS,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      round.push(...Messages);
    }
    const old = round.filter((message) => Number(message.Attributes?.SentTimestamp ?? 0) < startedAt);
    const fresh = round.filter((message) => !old.includes(message));
    const toMove = old.slice(0, Math.max(0, options.max - moved));
    for (const message of toMove) {
      await moveBack(target, message);
      out.write(`  redriven ${message.Attributes?.MessageGroupId ?? message.MessageId}\n`);
      moved += 1;
    }
    // Give back what this run does not move, so it is not hidden for HOLD_SECONDS.
    for (const message of [...fresh, ...old.slice(toMove.length)]) {
      await clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: names.ordersDlqUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    if (toMove.length === 0 || moved >= options.max) break;
  }
  out.write(`Redrove ${moved} message(s) to ${names.ordersQueueUrl}\n`);
  return 0;
};

const moveBack = async ({ clients, names }: Target, message: Message): Promise<void> => {
  const attributes: Record<string, MessageAttributeValue> = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !FAILURE_ATTRIBUTES.has(name)),
  );
  const groupId = message.Attributes?.MessageGroupId;
  await clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: names.ordersQueueUrl,
      MessageBody: message.Body ?? '',
      MessageAttributes: attributes,
      ...(groupId ? { MessageGroupId: groupId, MessageDeduplicationId: randomUUID() } : {}),
    }),
  );
  await clients.sqs.send(
    new DeleteMessageCommand({ QueueUrl: names.ordersDlqUrl, ReceiptHandle: message.ReceiptHandle }),
  );
};
