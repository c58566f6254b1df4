import { randomUUID } from 'node:crypto';
import {
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  peekMessages,
  type QueueMessage,
  queueDepth,
  receivePage,
  release,
  toQueueMessage,
} from '../shared/queue-messages';
import type { Target } from '../shared/target';

/** Attributes process-order adds when it dead-letters a message; a redriven message drops them. */
const FAILURE_ATTRIBUTES = new Set(['errorType', 'errorReason', 'failedAt', 'sourceMessageId']);

/** Which DLQ messages a command works on: `--order <orderId>` (the group) and `--error <text>`. */
export interface DlqFilter {
  readonly orderId?: string;
  /** Matched, case-insensitively, against the error type and reason. */
  readonly error?: string;
}

export const matches = (message: QueueMessage, filter: DlqFilter): boolean => {
  if (filter.orderId !== undefined && message.groupId !== filter.orderId) return false;
  if (filter.error !== undefined) {
    const text =
      `${message.attributes.errorType ?? ''} ${message.attributes.errorReason ?? ''}`.toLowerCase();
    if (!text.includes(filter.error.toLowerCase())) return false;
  }
  return true;
};

/** Why a message is in the DLQ: process-order's error attributes, or SQS's own move after N receives. */
export const reasonOf = (message: QueueMessage): string =>
  message.attributes.errorType
    ? `${message.attributes.errorType}: ${message.attributes.errorReason ?? ''}`
    : `moved by SQS after ${message.receiveCount} receive(s) (no error recorded: the function timed out or crashed)`;

const describe = (message: QueueMessage): string =>
  `  ${(message.groupId ?? message.messageId).padEnd(18)} ${message.attributes.failedAt ?? message.sentAt ?? ''}  ${reasonOf(message)}`;

export interface DlqOptions {
  /** The DLQ to read: `--queue-url`, e.g. one kept after its stack was deleted. @default the target's */
  readonly queueUrl?: string;
  readonly json: boolean;
  readonly max: number;
  readonly filter: DlqFilter;
}

const dlqUrlOf = (target: Target, options: { readonly queueUrl?: string }) =>
  options.queueUrl ?? target.names.ordersDlqUrl;

/** `orderflow dlq list`: the messages in the orders DLQ with why they are there; leaves them visible. */
export const listDlq = async (
  target: Target,
  options: DlqOptions,
  out: NodeJS.WritableStream,
): Promise<number> => {
  const queueUrl = dlqUrlOf(target, options);
  const depth = await queueDepth(target.clients.sqs, queueUrl);
  const messages = (await peekMessages(target.clients.sqs, queueUrl, { max: options.max })).filter(
    (message) => matches(message, options.filter),
  );
  const total = depth.visible + depth.inFlight + depth.delayed;
  if (options.json) {
    out.write(
      `${JSON.stringify({ queueUrl, approximateMessages: total, messages: messages.map((m) => ({ ...m, reason: reasonOf(m) })) }, null, 2)}\n`,
    );
    return 0;
  }
  // A FIFO queue hands out one message per group at a time: the listing shows each group's oldest.
  out.write(
    `${queueUrl}: about ${total} message(s)${total > messages.length ? `, ${messages.length} shown (the oldest of each order; --max ${options.max})` : ''}\n`,
  );
  for (const message of messages) out.write(`${describe(message)}\n`);
  return 0;
};

export interface RedriveOptions extends DlqOptions {
  readonly dryRun: boolean;
  /** Progress lines (on stderr). @default none */
  readonly progress?: (line: string) => void;
}

export interface RedriveResult {
  readonly atStart: number;
  readonly moved: readonly string[];
  readonly skipped: number;
}

/** How long a page stays hidden while it is worked on; a crash leaves it in the DLQ, visible again after this. */
const PAGE_HOLD_SECONDS = 60;

/**
 * `orderflow dlq redrive`: moves DLQ messages back to orders.fifo, FIFO-aware: each keeps its
 * message group (the orderId) and gets a fresh deduplication id (the original would be dropped as a
 * duplicate within SQS's five-minute window); original attributes stay, the failure ones go.
 *
 * - Works through a DLQ of any size in pages of at most 10, bounded by `--max`; it holds only the
 *   page in hand (plus the receipt handles of messages a filter skips, given back at the end).
 * - "What was there when it started" is the queue's own count at the start (visible, in flight and
 *   delayed): the run moves no more than that, so an order that fails again at once and comes back
 *   is not moved round in a loop. The local clock is never compared with SentTimestamp.
 * - A message leaves the DLQ only after its send succeeded. A crash between the two leaves it in the
 *   DLQ and a rerun sends it again; process-order is idempotent on the orderId (the conditional put
 *   and the execution named by it), so the order is still processed once.
 */
export const redriveDlq = async (
  target: Target,
  options: RedriveOptions,
  out: NodeJS.WritableStream,
): Promise<number> => {
  const { clients, names } = target;
  const queueUrl = dlqUrlOf(target, options);
  if (options.dryRun) {
    const messages = (await peekMessages(clients.sqs, queueUrl, { max: options.max })).filter((message) =>
      matches(message, options.filter),
    );
    if (options.json) {
      out.write(
        `${JSON.stringify({ dryRun: true, queueUrl, to: names.ordersQueueUrl, messages }, null, 2)}\n`,
      );
      return 0;
    }
    for (const message of messages) out.write(`would redrive${describe(message)}\n`);
    out.write(
      `Dry run: ${messages.length} message(s) would move to ${names.ordersQueueUrl}; nothing moved\n`,
    );
    return 0;
  }
  const depth = await queueDepth(clients.sqs, queueUrl);
  const atStart = depth.visible + depth.inFlight + depth.delayed;
  const limit = Math.min(atStart, options.max);
  const moved: string[] = [];
  const skipped: Message[] = [];
  let seen = 0;
  try {
    while (moved.length < limit && seen < atStart) {
      const page = await receivePage(clients.sqs, queueUrl, {
        max: Math.min(limit - moved.length, atStart - seen),
        holdSeconds: PAGE_HOLD_SECONDS,
      });
      if (page.length === 0) break;
      const giveBack: Message[] = [];
      for (const message of page) {
        seen += 1;
        const view = toQueueMessage(message);
        if (moved.length >= limit) giveBack.push(message);
        else if (!matches(view, options.filter)) skipped.push(message);
        else {
          await moveBack(target, queueUrl, message);
          moved.push(view.groupId ?? view.messageId);
          if (!options.json) out.write(`  redriven ${view.groupId ?? view.messageId}\n`);
        }
      }
      await release(clients.sqs, queueUrl, giveBack);
      options.progress?.(
        `redrive: ${moved.length} moved, ${skipped.length} skipped, ${seen}/${atStart} seen`,
      );
    }
  } finally {
    // Messages a filter skipped stay in the DLQ, visible again now rather than after the hold.
    await release(clients.sqs, queueUrl, skipped);
  }
  const result: RedriveResult = { atStart, moved, skipped: skipped.length };
  out.write(
    options.json
      ? `${JSON.stringify({ queueUrl, to: names.ordersQueueUrl, ...result }, null, 2)}\n`
      : `Redrove ${moved.length} of the ${atStart} message(s) there at the start to ${names.ordersQueueUrl}${skipped.length > 0 ? ` (${skipped.length} left: not matching the filter)` : ''}\n`,
  );
  return 0;
};

const moveBack = async ({ clients, names }: Target, queueUrl: string, message: Message): Promise<void> => {
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
    new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
  );
};
