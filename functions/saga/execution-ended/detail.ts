import { isPlain } from '#shared/schemas/order-fast-path';

/** The part of the event's detail this function reads; AWS sends more (dates, input, output). */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly error?: string | null;
  readonly cause?: string | null;
  /** The execution input (JSON text); null when it was too large for the event. */
  readonly input?: string | null;
}

const isNullishText = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string';

/**
 * The schema's output (a copy, deep-equal) for a detail it certainly accepts, so that the usual event
 * never builds the schema; for anything else undefined, left to the schema for its verdict and words.
 * For JSON values, which is what Lambda hands a function.
 */
export const plainDetail = (detail: unknown): ExecutionStatusChangeDetail | undefined =>
  isPlain(detail) &&
  !Object.hasOwn(detail, '__proto__') &&
  typeof detail.executionArn === 'string' &&
  typeof detail.name === 'string' &&
  detail.name.length > 0 &&
  typeof detail.status === 'string' &&
  isNullishText(detail.error) &&
  isNullishText(detail.cause) &&
  isNullishText(detail.input)
    ? ({ ...detail } as unknown as ExecutionStatusChangeDetail)
    : undefined;

/** The schema's verdict alone: its output, or a throw with its reasons. Loaded on first use. */
export const parseDetailWithSchema = (detail: unknown): ExecutionStatusChangeDetail =>
  (require('./detail-schema.lazy') as typeof import('./detail-schema.lazy')).DetailSchema.parse(detail);

/** The detail, checked: by plainDetail, else by the schema. */
export const parseDetail = (detail: unknown): ExecutionStatusChangeDetail =>
  plainDetail(detail) ?? parseDetailWithSchema(detail);
