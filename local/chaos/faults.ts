import type { IncomingHttpHeaders } from 'node:http';

/**
 * Faults the local gateway can inject into an AWS API call, as AWS produces them. The runtime
 * injects them in front of the stand-ins, never through branches in the code under test.
 * - `throttle`: the service's own throttling error (HTTP 400 or S3's 503 SlowDown); the request
 *   never reaches the stand-in.
 * - `server-error`: HTTP 500 or 503 with the service's internal error; not forwarded either.
 * - `connection-reset`: the connection is dropped before the request is forwarded.
 * - `response-lost`: the request is forwarded and applied; the connection is dropped before the
 *   caller reads the answer, so it cannot tell whether the write happened.
 * - `entries-failed` (SQS SendMessageBatch): the chosen entries are not sent and come back in
 *   `Failed` as a server fault (`SenderFault: false`), as SQS answers when it could not take them.
 * - `transaction-conflict` (DynamoDB TransactWriteItems): the transaction is cancelled, its first item
 *   `None` and the others `TransactionConflict`, as DynamoDB answers when another transaction holds
 *   them (a hot item; DynamoDB Local serialises transactions and never does); not forwarded.
 */
export type Fault =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'server-error'; readonly status: 500 | 503 }
  | { readonly kind: 'connection-reset' }
  | { readonly kind: 'response-lost' }
  | { readonly kind: 'entries-failed'; readonly entryIds: (ids: readonly string[]) => readonly string[] }
  | { readonly kind: 'transaction-conflict' };

export type FaultKind = Fault['kind'];

/** One attempt of an AWS API call, as the gateway sees it. */
export interface ApiCall {
  readonly service: string;
  readonly operation: string;
  /** The SDK's attempt number (its `amz-sdk-request` header); 1 when the caller sends none. */
  readonly attempt: number;
  /** The SDK's invocation id (`amz-sdk-invocation-id`): the same for every retry of one call. */
  readonly invocationId?: string;
  /** The one order the call is about, when its request names one (a DynamoDB key, an execution name). */
  orderKey(): string | undefined;
}

/** Decides, per attempt, whether the gateway injects a fault. */
export interface FaultInjector {
  decide(call: ApiCall): Fault | undefined;
}

type AttributeMap = Readonly<Record<string, { readonly S?: string } | undefined>>;

interface KeyedRequest {
  readonly Key?: AttributeMap;
  readonly Item?: AttributeMap;
  readonly name?: string;
}

const ORDER_KEY_ATTRIBUTES = ['orderId', 'pk'] as const;

/** The order a DynamoDB item key or a StartExecution names, read from a JSON request body. */
export const orderKeyOf = (
  service: string,
  operation: string,
  body: Buffer | undefined,
): string | undefined => {
  if (body === undefined || (service !== 'dynamodb' && service !== 'states')) return undefined;
  let request: KeyedRequest;
  try {
    request = JSON.parse(body.toString('utf8')) as KeyedRequest;
  } catch {
    return undefined;
  }
  if (service === 'states') return operation === 'StartExecution' ? request.name : undefined;
  const attributes = request.Key ?? request.Item;
  for (const name of ORDER_KEY_ATTRIBUTES) {
    const value = attributes?.[name]?.S;
    // The provider's books key its items `payment#<orderId>` and `shipment#<orderId>`.
    if (value !== undefined) return value.slice(value.indexOf('#') + 1);
  }
  return undefined;
};

/** The SDK's retry bookkeeping from the request headers, and the order the request names. */
export const apiCallOf = (
  service: string,
  operation: string,
  headers: IncomingHttpHeaders,
  body?: Buffer,
): ApiCall => {
  const request = String(headers['amz-sdk-request'] ?? '');
  const attempt = Number(/attempt=(\d+)/.exec(request)?.[1] ?? 1);
  const invocationId = headers['amz-sdk-invocation-id'];
  return {
    service,
    operation,
    attempt,
    ...(typeof invocationId === 'string' ? { invocationId } : {}),
    // Parsed only when a fault is being decided: most calls never need it.
    orderKey: () => orderKeyOf(service, operation, body),
  };
};

/** Services the SDK talks to with AWS JSON 1.0, and the namespace of their error types. */
const JSON_SERVICES: Readonly<Record<string, string>> = {
  sqs: 'com.amazonaws.sqs',
  dynamodb: 'com.amazonaws.dynamodb.v20120810',
  states: 'com.amazonaws.swf.service.model.v20160301',
};

const THROTTLING_CODES: Readonly<Record<string, string>> = {
  sqs: 'RequestThrottled',
  dynamodb: 'ThrottlingException',
  states: 'ThrottlingException',
  sns: 'Throttling',
  s3: 'SlowDown',
};

export interface FaultResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The error response a throttle or server error gets, in the service's protocol. */
export const errorResponse = (service: string, fault: Fault): FaultResponse => {
  const throttle = fault.kind === 'throttle';
  const code = throttle
    ? (THROTTLING_CODES[service] ?? 'Throttling')
    : fault.kind === 'server-error' && fault.status === 503
      ? 'ServiceUnavailable'
      : 'InternalFailure';
  const status = throttle
    ? service === 's3'
      ? 503
      : 400
    : fault.kind === 'server-error'
      ? fault.status
      : 500;
  const message = throttle
    ? 'Rate exceeded (injected by the local runtime)'
    : 'Injected by the local runtime';
  const namespace = JSON_SERVICES[service];
  if (namespace !== undefined) {
    return {
      status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        // SQS's JSON protocol also names the query-protocol code, which the SDK prefers.
        ...(service === 'sqs' ? { 'x-amzn-query-error': `${code};${throttle ? 'Sender' : 'Receiver'}` } : {}),
      },
      body: JSON.stringify({ __type: `${namespace}#${code}`, message }),
    };
  }
  if (service === 's3') {
    return {
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    };
  }
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse><Error><Type>${throttle ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`,
  };
};

/** DynamoDB's answer to a TransactWriteItems cancelled by a conflict (Fault `transaction-conflict`). */
export const transactionConflictResponse = (body: Buffer): FaultResponse => {
  const items =
    (JSON.parse(body.toString('utf8')) as { TransactItems?: readonly unknown[] }).TransactItems ?? [];
  const codes = items.map((_, index) => (index === 0 ? 'None' : 'TransactionConflict'));
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}] (injected by the local runtime)`,
      CancellationReasons: codes.map((Code) => ({
        Code,
        ...(Code === 'None' ? {} : { Message: 'Transaction is ongoing for the item' }),
      })),
    }),
  };
};

interface BatchRequest {
  readonly QueueUrl?: string;
  readonly Entries?: readonly { readonly Id: string }[];
}

interface BatchResponse {
  readonly Successful?: unknown[];
  readonly Failed?: unknown[];
}

/** Splits a SendMessageBatch request: what is forwarded, and the entries that fail without being sent. */
export const splitBatch = (
  body: Buffer,
  choose: (ids: readonly string[]) => readonly string[],
): { readonly forward: Buffer | undefined; readonly failedIds: readonly string[] } => {
  const request = JSON.parse(body.toString('utf8')) as BatchRequest;
  const entries = request.Entries ?? [];
  const failedIds = new Set(choose(entries.map((entry) => entry.Id)));
  const kept = entries.filter((entry) => !failedIds.has(entry.Id));
  return {
    forward: kept.length === 0 ? undefined : Buffer.from(JSON.stringify({ ...request, Entries: kept })),
    failedIds: [...failedIds],
  };
};

/** Adds the failed entries to a SendMessageBatch response (an empty one when nothing was forwarded). */
export const withFailedEntries = (response: Buffer | undefined, failedIds: readonly string[]): Buffer => {
  const parsed = response ? (JSON.parse(response.toString('utf8')) as BatchResponse) : {};
  const failed = failedIds.map((Id) => ({
    Id,
    SenderFault: false,
    Code: 'InternalError',
    Message: 'The entry was not sent (injected by the local runtime)',
  }));
  return Buffer.from(
    JSON.stringify({ Successful: parsed.Successful ?? [], Failed: [...(parsed.Failed ?? []), ...failed] }),
  );
};
