/** The statuses an order goes through; the last four are written once and kept. */
export const ORDER_STATUSES = [
  'RECEIVED',
  'RESERVED',
  'CHARGED',
  'SHIPPED',
  'COMPLETED',
  'CANCELLED',
  'REJECTED',
  'NEEDS_ATTENTION',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses of an order whose saga is still under way: stock or money may be held. */
export const IN_FLIGHT_STATUSES = [
  'RECEIVED',
  'RESERVED',
  'CHARGED',
  'SHIPPED',
] as const satisfies readonly OrderStatus[];

export type FinalStatus = 'COMPLETED' | 'CANCELLED' | 'REJECTED' | 'NEEDS_ATTENTION';

/**
 * The statuses an order may move to `target` from. Forward statuses only move forward, so
 * a retried or late step never moves an order back; final statuses are never overwritten,
 * so the first recorded outcome (and its reason) is the one that stays. CANCELLED and
 * REJECTED are written only after every compensation finished, so nothing is held when an
 * execution ends afterwards: an execution-level ending does not turn them into NEEDS_ATTENTION.
 */
export const allowedSources = (target: OrderStatus): readonly OrderStatus[] => {
  switch (target) {
    case 'RECEIVED':
      return [];
    case 'RESERVED':
      return ['RECEIVED'];
    case 'CHARGED':
      return ['RECEIVED', 'RESERVED'];
    case 'SHIPPED':
      return ['RECEIVED', 'RESERVED', 'CHARGED'];
    default:
      return IN_FLIGHT_STATUSES;
  }
};

export const canTransition = (from: OrderStatus | undefined, to: OrderStatus): boolean =>
  from === undefined || allowedSources(to).includes(from);

export interface HistoryEntry {
  readonly status: OrderStatus;
  /** ISO-8601 timestamp. */
  readonly at: string;
  readonly reason?: string;
}

export interface TransitionResult {
  /** Whether this call wrote the status (false: already there, or not allowed from the current status). */
  readonly changed: boolean;
  /** The order's status after the call. */
  readonly status: OrderStatus;
}
