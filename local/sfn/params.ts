import type { JsonObject } from './definition';
import { SfnApiError } from './errors';

const wrongType = (key: string, expected: string): SfnApiError =>
  new SfnApiError('SerializationException', `Unexpected value for '${key}': expected ${expected}`);

export const optionalString = (body: JsonObject, key: string): string | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(key, 'a string');
  return value;
};

export const requiredString = (body: JsonObject, key: string): string => {
  const value = optionalString(body, key);
  if (value === undefined) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
};

export const optionalBoolean = (body: JsonObject, key: string): boolean | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(key, 'a boolean');
  return value;
};

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** `maxResults`: 0 or absent means the default page size, as in AWS. */
export const pageSize = (body: JsonObject): number => {
  const value = body.maxResults;
  if (value === undefined || value === null || value === 0) return DEFAULT_PAGE_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType('maxResults', 'an integer');
  if (value < 0 || value > MAX_PAGE_SIZE) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and ${MAX_PAGE_SIZE}`,
    );
  }
  return value;
};
