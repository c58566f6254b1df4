import { SfnApiError } from './errors';

interface Cursor {
  readonly scope: string;
  readonly after: string;
}

const encode = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

const decode = (token: string): Cursor | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { scope, after } = value as Record<string, unknown>;
    return typeof scope === 'string' && typeof after === 'string' ? { scope, after } : undefined;
  } catch {
    return undefined;
  }
};

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * One page of `items`. The token names the last item returned (not an offset), so items added at
 * the front between two calls (a newer execution) neither repeat nor shift the next page.
 * `scope` ties a token to the listing it came from.
 */
export const pageOf = <T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  scope: string,
  pageSize: number,
  nextToken: string | undefined,
): Page<T> => {
  let start = 0;
  if (nextToken !== undefined) {
    const cursor = decode(nextToken);
    const index = cursor?.scope === scope ? items.findIndex((item) => keyOf(item) === cursor.after) : -1;
    if (index < 0) throw new SfnApiError('InvalidToken', `Invalid Token: '${nextToken}'`);
    start = index + 1;
  }
  const page = items.slice(start, start + pageSize);
  const last = page.at(-1);
  const more = start + pageSize < items.length;
  return {
    items: page,
    ...(more && last !== undefined ? { nextToken: encode({ scope, after: keyOf(last) }) } : {}),
  };
};
