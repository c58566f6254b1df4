/** Calls per AWS service and operation, as counted by the gateway. */
export interface ServiceCalls {
  readonly total: number;
  readonly operations: Readonly<Record<string, number>>;
}

/** One request as the gateway saw it: for a bench that prices requests by what they carry. */
export interface ObservedApiCall {
  readonly service: string;
  readonly operation: string;
  /** The request body; undefined for S3, whose bodies stream through unread. */
  readonly body: Buffer | undefined;
}

export class ApiCallCounter {
  private readonly counts = new Map<string, Map<string, number>>();

  add(service: string, operation: string): void {
    const operations = this.counts.get(service) ?? new Map<string, number>();
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
    this.counts.set(service, operations);
  }

  snapshot(): Record<string, ServiceCalls> {
    return Object.fromEntries(
      [...this.counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([service, operations]) => [
          service,
          {
            total: [...operations.values()].reduce((sum, n) => sum + n, 0),
            operations: Object.fromEntries([...operations.entries()].sort(([, a], [, b]) => b - a)),
          },
        ]),
    );
  }
}

/** The service a request is for: the SigV4 credential scope names it (`.../us-east-1/sqs/aws4_request`). */
export const serviceOf = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  url: string,
): string => {
  const authorization = String(headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization);
  if (scope?.[1]) return scope[1];
  const query = /X-Amz-Credential=[^&]*?%2F([a-z0-9-]+)%2Faws4_request/i.exec(url);
  if (query?.[1]) return query[1];
  const target = String(headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  if (target.startsWith('AWSStepFunctions')) return 'states';
  if (target.startsWith('AmazonSQS')) return 'sqs';
  // Unsigned requests without a target header are S3's REST calls (e.g. --no-sign-request).
  return 's3';
};

const s3Operation = (method: string, url: string, headers: Readonly<Record<string, unknown>>): string => {
  const [pathPart = '', query = ''] = url.split('?');
  const objectLevel = pathPart.split('/').filter(Boolean).length > 1;
  const has = (name: string) => new URLSearchParams(query).has(name);
  switch (method) {
    case 'PUT':
      if (!objectLevel) return 'CreateBucket';
      if (has('partNumber')) return 'UploadPart';
      return headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    case 'GET':
      return objectLevel ? 'GetObject' : 'ListObjects';
    case 'HEAD':
      return objectLevel ? 'HeadObject' : 'HeadBucket';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      return has('delete') ? 'DeleteObjects' : 'PostObject';
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      return objectLevel ? 'DeleteObject' : 'DeleteBucket';
    default:
      return method;
  }
};

/** The operation: the JSON target header, the query protocol's Action, or S3's method and path. */
export const operationOf = (
  service: string,
  method: string,
  url: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer | undefined,
): string => {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.indexOf('.') + 1);
  if (service === 's3') return s3Operation(method, url, headers);
  const action = new URLSearchParams(body?.toString('utf8') ?? url.split('?')[1] ?? '').get('Action');
  return action ?? method;
};
