import type { ReservationLine } from '#shared/domain/ports';
import type { CancellationReasonLike } from './dynamo-errors';

/**
 * What a cancelled reservation transaction means, read from its CancellationReasons.
 * The transaction's first action is the reservation Put, followed by one Update per line,
 * so reason i + 1 belongs to line i.
 */
export type ReservationCancellation =
  | { readonly kind: 'already-reserved' }
  | { readonly kind: 'unknown-sku'; readonly skus: readonly string[] }
  | {
      readonly kind: 'out-of-stock';
      readonly shortages: readonly { sku: string; requested: number; available: number }[];
    }
  | { readonly kind: 'other'; readonly codes: readonly string[] };

/** ALL_OLD items come back in the low-level AttributeValue form: `{ N: "5" }`. */
const availableOf = (item: Record<string, unknown>): number => {
  const value = item.available;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'N' in value) return Number((value as { N: unknown }).N);
  return 0;
};

export const interpretReservationCancellation = (
  reasons: readonly CancellationReasonLike[],
  lines: readonly ReservationLine[],
): ReservationCancellation => {
  if (reasons[0]?.Code === 'ConditionalCheckFailed') return { kind: 'already-reserved' };
  const unknown: string[] = [];
  const shortages: { sku: string; requested: number; available: number }[] = [];
  lines.forEach((line, index) => {
    const reason = reasons[index + 1];
    if (reason?.Code !== 'ConditionalCheckFailed') return;
    // With ALL_OLD, a failed condition on a missing item returns no Item: the sku does not exist.
    if (!reason.Item) unknown.push(line.sku);
    else shortages.push({ sku: line.sku, requested: line.quantity, available: availableOf(reason.Item) });
  });
  if (unknown.length > 0) return { kind: 'unknown-sku', skus: unknown };
  if (shortages.length > 0) return { kind: 'out-of-stock', shortages };
  return { kind: 'other', codes: reasons.map((reason) => reason.Code ?? 'None') };
};
