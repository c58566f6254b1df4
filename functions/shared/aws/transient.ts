/**
 * Whether an AWS SDK error means "try again later": throttling, a server fault, a timeout or a
 * broken connection, seen after the SDK's own retries. The same rules as the SDK's retry strategy
 * (@smithy/service-error-classification: throttling names, transient names, 5xx and 429 statuses,
 * Node's network error codes), kept here because a step or the ingest sees the error only once the
 * SDK has given up, and must then decide between "retry later" and "this cannot succeed".
 */
const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'KMSThrottlingException',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceException',
  'KMSInternalException',
]);

const TRANSIENT_STATUS_CODES = new Set([429, 500, 502, 503, 504]);

/** Connection-level failures Node reports on a socket (the SDK gives up after its attempts). */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

export const isTransientAwsError = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $retryable, $metadata } = error as SdkErrorShape;
  if (typeof name === 'string' && (THROTTLING_NAMES.has(name) || TRANSIENT_NAMES.has(name))) return true;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  if (typeof $retryable === 'object' && $retryable !== null) return true;
  const status = $metadata?.httpStatusCode;
  return typeof status === 'number' && TRANSIENT_STATUS_CODES.has(status);
};
