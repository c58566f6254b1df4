import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { type ApiCallCounter, type ObservedApiCall, operationOf, serviceOf } from './api-calls';
import {
  apiCallOf,
  errorResponse,
  type Fault,
  type FaultInjector,
  splitBatch,
  transactionConflictResponse,
  withFailedEntries,
} from './chaos/faults';
import { listen } from './listen';

/** Where each service's requests go: a stand-in's base URL. */
export type Upstreams = Readonly<Record<string, string>>;

export interface Gateway {
  /** One endpoint for every service, e.g. `http://127.0.0.1:4566`. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const readBody = (incoming: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });

/**
 * One local endpoint in front of the stand-ins: it routes each request by the service its SigV4
 * signature names (s3, sqs, sns → fauxqs; dynamodb → DynamoDB Local; states → the local Step
 * Functions endpoint) and counts it. Counting here, at the HTTP level, sees every call whoever makes
 * it: handlers, the event source pollers, the CLI, the AWS CLI.
 */
export interface GatewayOptions {
  readonly port?: number;
  readonly host?: string;
  /** Decides which calls fail, and how (chaos runs and fault tests). @default none */
  readonly faults?: FaultInjector;
  /** Sees every counted request with its body (bench/cost.ts sizes DynamoDB items by it). @default none */
  readonly observe?: (call: ObservedApiCall) => void;
}

/** Drops the caller's connection without an answer, as a reset or a lost response looks to the SDK. */
const dropConnection = (incoming: IncomingMessage): void => {
  incoming.socket.destroy();
};

export const startGateway = async (
  upstreams: Upstreams,
  counter: ApiCallCounter,
  options: GatewayOptions = {},
): Promise<Gateway> => {
  const agent = new Agent({ keepAlive: true });

  const forward = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const url = incoming.url ?? '/';
    const service = serviceOf(incoming.headers, url);
    const base = upstreams[service];
    if (!base) {
      counter.add(service, 'unserved');
      outgoing.writeHead(501, { 'content-type': 'text/plain' }).end(`${service} is not served locally\n`);
      return;
    }
    // S3 bodies stream through; the others are small and read whole to name the operation.
    let body = service === 's3' ? undefined : await readBody(incoming);
    const operation = operationOf(service, incoming.method ?? 'GET', url, incoming.headers, body);
    counter.add(service, operation);
    options.observe?.({ service, operation, body });
    const fault: Fault | undefined = options.faults?.decide(
      apiCallOf(service, operation, incoming.headers, body),
    );
    let failedIds: readonly string[] | undefined;
    switch (fault?.kind) {
      case 'throttle':
      case 'server-error': {
        incoming.resume();
        const response = errorResponse(service, fault);
        outgoing.writeHead(response.status, response.headers).end(response.body);
        return;
      }
      case 'connection-reset':
        dropConnection(incoming);
        return;
      case 'transaction-conflict': {
        if (operation !== 'TransactWriteItems' || body === undefined) break;
        const response = transactionConflictResponse(body);
        outgoing.writeHead(response.status, response.headers).end(response.body);
        return;
      }
      case 'entries-failed': {
        if (operation !== 'SendMessageBatch' || body === undefined) break;
        const split = splitBatch(body, fault.entryIds);
        failedIds = split.failedIds;
        if (split.forward === undefined) {
          outgoing
            .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
            .end(withFailedEntries(undefined, failedIds));
          return;
        }
        body = split.forward;
        break;
      }
      default:
        break;
    }
    const headers =
      body === undefined ? incoming.headers : { ...incoming.headers, 'content-length': String(body.length) };
    const target = new URL(base);
    const upstream = request(
      { agent, host: target.hostname, port: target.port, method: incoming.method, path: url, headers },
      (response) => {
        if (fault?.kind === 'response-lost') {
          // The stand-in applied the request; its answer is read and thrown away.
          response.resume();
          response.on('end', () => dropConnection(incoming));
          return;
        }
        if (failedIds !== undefined && failedIds.length > 0) {
          readBody(response).then(
            (answer) => {
              const rewritten = withFailedEntries(answer, failedIds ?? []);
              outgoing
                .writeHead(response.statusCode ?? 200, {
                  ...response.headers,
                  'content-length': String(rewritten.length),
                })
                .end(rewritten);
            },
            () => dropConnection(incoming),
          );
          return;
        }
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`local ${service} endpoint failed: ${error.message}\n`);
    });
    if (body === undefined) incoming.pipe(upstream);
    else upstream.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    forward(incoming, outgoing).catch((error: Error) => {
      if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'text/plain' });
      outgoing.end(`gateway error: ${error.message}\n`);
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    endpoint: `http://${host}:${port}`,
    port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
};
