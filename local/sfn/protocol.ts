import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonObject, type JsonObject } from './definition';
import { SfnApiError } from './errors';

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ApiRequest {
  /** From `X-Amz-Target: AWSStepFunctions.<Operation>`. */
  readonly operation: string;
  readonly body: JsonObject;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new SfnApiError('ValidationException', 'The request body is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** An AWS JSON 1.0 request: POST /, the operation in X-Amz-Target, the parameters as a JSON object. */
export const readApiRequest = async (request: IncomingMessage): Promise<ApiRequest> => {
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new SfnApiError('UnknownOperationException', `Unknown operation: ${String(target)}`);
  }
  const text = await readBody(request);
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new SfnApiError('SerializationException', 'The request body is not valid JSON');
    }
  }
  if (!isJsonObject(body))
    throw new SfnApiError('SerializationException', 'The request body is not a JSON object');
  return { operation: target.slice(TARGET_PREFIX.length), body };
};

export const sendJson = (response: ServerResponse, statusCode: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
};

/**
 * Both the JS SDK and botocore read the error code from `__type` (dropping any `namespace#`
 * prefix) and raise the modelled exception class of that name; `message` becomes its message.
 */
export const sendError = (response: ServerResponse, error: SfnApiError): void =>
  sendJson(response, 400, { __type: error.type, message: error.message });
