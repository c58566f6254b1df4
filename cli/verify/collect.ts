import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  type PaymentBook,
  paymentBookOf,
  type ShipmentBook,
  shipmentBookOf,
} from '#shared/adapters/provider-books';
import type { PaymentRecord, Reservation } from '#shared/domain/ports';
import { parseSagaInput } from '#shared/domain/saga-input';
import { contentHash, validateOrder } from '#shared/schemas/order-placed';
import { INGEST_PREFIXES } from '../../lib/constructs/ingest-bucket';
import type { CliClients } from '../shared/clients';
import type { PipelineNames } from '../shared/names';
import { queueDepth } from '../shared/queue-messages';
import { readRejectsReport } from '../shared/rejects';
import { readOrderFile } from './read-file';
import type {
  DeadLetter,
  ExecutionSeen,
  FileSnapshot,
  OrderItem,
  StockItem,
  VerifySnapshot,
} from './snapshot';

type Item = Record<string, unknown>;

const scanAll = async (dynamodb: DynamoDBDocumentClient, table: string): Promise<Item[]> => {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

const str = (item: Item, name: string): string | undefined =>
  typeof item[name] === 'string' ? (item[name] as string) : undefined;

/** The order files: every object under incoming/ but folder markers. */
const listOrderFiles = async (s3: S3Client, bucket: string): Promise<string[]> => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: INGEST_PREFIXES.incoming,
        ContinuationToken: token,
      }),
    );
    keys.push(
      ...(page.Contents ?? []).flatMap((object) =>
        object.Key && !object.Key.endsWith('/') ? [object.Key] : [],
      ),
    );
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
};

const readFileSnapshot = async (s3: S3Client, bucket: string, key: string): Promise<FileSnapshot> => {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
  const read = readOrderFile(key, body);
  const report = await readRejectsReport(s3, bucket, key);
  return {
    key,
    records: read.records,
    ...(read.unreadableFrom === undefined ? {} : { unreadableFrom: read.unreadableFrom }),
    ...(report
      ? { report: { rejects: report.rejects, ...(report.summary ? { summary: report.summary } : {}) } }
      : {}),
  };
};

/**
 * Every message of the DLQ that a receive can show, left as it was: each is received with a short
 * visibility timeout (so the next receive moves on), then made visible again at once. SQS has no peek:
 * each read adds one to the message's receive count. A FIFO queue shows only the oldest message of a
 * group while it is in flight, so later messages of one group stay unseen (the count says how many).
 */
const readDeadLetters = async (sqs: SQSClient, queueUrl: string): Promise<DeadLetter[]> => {
  const seen = new Map<string, Message>();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) seen.set(message.MessageId ?? '', message);
  }
  const handles = [...seen.values()].flatMap((message) =>
    message.ReceiptHandle ? [message.ReceiptHandle] : [],
  );
  for (let start = 0; start < handles.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: handles.slice(start, start + 10).map((ReceiptHandle, index) => ({
          Id: String(index),
          ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return [...seen.values()].map((message) => {
    let hash: string | undefined;
    try {
      const result = validateOrder(JSON.parse(message.Body ?? ''));
      if (result.ok) hash = contentHash(result.canonical);
    } catch {
      // A body that is not JSON has no content hash.
    }
    const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
    const errorType = attribute('errorType');
    const errorReason = attribute('errorReason');
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount);
    return {
      ...(message.Attributes?.MessageGroupId ? { groupId: message.Attributes.MessageGroupId } : {}),
      ...(hash ? { contentHash: hash } : {}),
      ...(errorType ? { errorType } : {}),
      ...(errorReason ? { errorReason } : {}),
      ...(Number.isInteger(receiveCount) ? { receiveCount } : {}),
    };
  });
};

/** The order an execution's input names: the saga's either shape, or a repair's `{order, …}`. */
const orderIdOfInput = (input: string | undefined): string | undefined => {
  try {
    const value: unknown = JSON.parse(input ?? 'null');
    const parsed = parseSagaInput(value);
    if (parsed.ok) return parsed.order.orderId;
    const order = (value as { order?: { orderId?: unknown } } | null)?.order;
    return typeof order?.orderId === 'string' ? order.orderId : undefined;
  } catch {
    // An input that is not JSON names no order.
    return undefined;
  }
};

const readExecutions = async (sfn: SFNClient, stateMachineArn: string): Promise<ExecutionSeen[]> => {
  const listed: { executionArn: string; name: string; status: string }[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken: token }),
    );
    for (const execution of page.executions ?? []) {
      listed.push({
        executionArn: execution.executionArn ?? '',
        name: execution.name ?? '',
        status: execution.status ?? '',
      });
    }
    token = page.nextToken;
  } while (token);
  const described: ExecutionSeen[] = [];
  for (const execution of listed) {
    const detail = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
    const orderId = orderIdOfInput(detail.input);
    described.push({
      ...execution,
      ...(detail.error ? { error: detail.error } : {}),
      ...(orderId ? { orderId } : {}),
    });
  }
  return described;
};

/**
 * The orders the OrdersNeedingAttention metric counted, from the EMF lines record-outcome and
 * execution-ended write (each carries the orderId as metadata). Locally the function logs are files.
 */
export const readAttentionMetric = async (logDir: string): Promise<Set<string>> => {
  const counted = new Set<string>();
  for (const file of (await readdir(logDir)).filter((name) => name.endsWith('.log'))) {
    for (const line of (await readFile(path.join(logDir, file), 'utf8')).split('\n')) {
      if (!line.includes('OrdersNeedingAttention') || !line.includes('"_aws"')) continue;
      try {
        const emf = JSON.parse(line.slice(line.indexOf('{'))) as {
          orderId?: unknown;
          OrdersNeedingAttention?: unknown;
        };
        if (typeof emf.orderId === 'string' && emf.OrdersNeedingAttention !== undefined)
          counted.add(emf.orderId);
      } catch {
        // Not an EMF line after all.
      }
    }
  }
  return counted;
};

export interface CollectOptions {
  /** Function logs to read the NEEDS_ATTENTION metric from (the local runtime's). @default not checked */
  readonly logDir?: string;
}

/** Reads everything the checker judges, from the pipeline's external records. */
export const collectSnapshot = async (
  clients: CliClients,
  names: PipelineNames,
  options: CollectOptions = {},
): Promise<VerifySnapshot> => {
  const { s3, sqs, dynamodb, sfn } = clients;
  const keys = await listOrderFiles(s3, names.ingestBucket);
  const files: FileSnapshot[] = [];
  for (const key of keys) files.push(await readFileSnapshot(s3, names.ingestBucket, key));
  const [orderItems, inventory, reservations, payments, provider] = await Promise.all([
    scanAll(dynamodb, names.ordersTable),
    scanAll(dynamodb, names.inventoryTable),
    scanAll(dynamodb, names.reservationsTable),
    scanAll(dynamodb, names.paymentsTable),
    scanAll(dynamodb, names.providerTable),
  ]);
  const [ordersDepth, dlqDepth, failuresDepth] = await Promise.all([
    queueDepth(sqs, names.ordersQueueUrl),
    queueDepth(sqs, names.ordersDlqUrl),
    queueDepth(sqs, names.ingestFailuresQueueUrl),
  ]);
  const deadLetters = await readDeadLetters(sqs, names.ordersDlqUrl);
  const executions = await readExecutions(sfn, names.stateMachineArn);
  const repairExecutions = names.repairStateMachineArn
    ? await readExecutions(sfn, names.repairStateMachineArn)
    : undefined;
  const orders: OrderItem[] = orderItems.map((item) => {
    const order = item.order as { totalCents?: unknown } | undefined;
    const shipment = item.shipment as { trackingId?: unknown } | undefined;
    return {
      orderId: String(item.orderId),
      ...(str(item, 'status') ? { status: str(item, 'status') } : {}),
      ...(str(item, 'statusReason') ? { statusReason: str(item, 'statusReason') } : {}),
      ...(str(item, 'contentHash') ? { contentHash: str(item, 'contentHash') } : {}),
      ...(typeof order?.totalCents === 'number' ? { totalCents: order.totalCents } : {}),
      ...(str(item, 'correlationId') ? { correlationId: str(item, 'correlationId') } : {}),
      ...(str(item, 'sagaExecutionArn') ? { sagaExecutionArn: str(item, 'sagaExecutionArn') } : {}),
      ...(str(item, 'repairExecutionArn') ? { repairExecutionArn: str(item, 'repairExecutionArn') } : {}),
      ...(typeof shipment?.trackingId === 'string' ? { trackingId: shipment.trackingId } : {}),
    };
  });
  const books = (prefix: string) =>
    provider
      .filter((item) => String(item.pk).startsWith(prefix))
      .map((item) => [String(item.pk).slice(prefix.length), item] as const);
  const paymentBooks: PaymentBook[] = books('payment#').map(([key, item]) => paymentBookOf(key, item));
  const shipmentBooks: ShipmentBook[] = books('shipment#').map(([key, item]) => shipmentBookOf(key, item));
  const stock: StockItem[] = inventory.map((item) => ({
    sku: String(item.sku),
    available: Number(item.available ?? 0),
    ...(typeof item.seeded === 'number' ? { seeded: item.seeded } : {}),
  }));
  const all = (depth: { visible: number; inFlight: number; delayed: number }) =>
    depth.visible + depth.inFlight + depth.delayed;
  return {
    files,
    orders,
    deadLetters,
    deadLetterCount: all(dlqDepth),
    ordersQueueDepth: all(ordersDepth),
    ingestFailures: all(failuresDepth),
    executions,
    ...(repairExecutions ? { repairExecutions } : {}),
    payments: payments as unknown as PaymentRecord[],
    paymentBooks,
    shipmentBooks,
    stock,
    reservations: reservations as unknown as Reservation[],
    ...(options.logDir ? { attentionMetric: await readAttentionMetric(options.logDir) } : {}),
  };
};
