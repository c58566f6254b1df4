/** The statuses an order goes through; COMPLETED, CANCELLED and REJECTED are written once and kept. */
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
 * a retried or late step never moves an order back. COMPLETED, CANCELLED and REJECTED are
 * never overwritten, so the first settled outcome (and its reason) is the one that stays.
 * CANCELLED and REJECTED are written only after every compensation finished, so nothing is
 * held when an execution ends afterwards: an execution-level ending does not turn them into
 * NEEDS_ATTENTION.
 *
 * NEEDS_ATTENTION is left only for a settled outcome: an operator redrives the execution, and
 * what it writes at its end (ConfirmOrder's COMPLETED, RecordCancelled, RecordRejected) is the
 * order's real state. The forward statuses are not written over it: the steps of a redriven
 * execution do not need them (they read DynamoDB, not the status), and a late step of an
 * execution that already ended must not clear the flag while nobody finishes the order.
 * NEEDS_ATTENTION over NEEDS_ATTENTION is refused, so its first, more precise reason stays.
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
    case 'NEEDS_ATTENTION':
      return IN_FLIGHT_STATUSES;
    case 'COMPLETED':
    case 'CANCELLED':
    case 'REJECTED':
      return [...IN_FLIGHT_STATUSES, 'NEEDS_ATTENTION'];
  }
};

export const canTransition = (from: OrderStatus | undefined, to: OrderStatus): boolean =>
  from === undefined || allowedSources(to).includes(from);

export interface HistoryEntry {
  readonly status: OrderStatus;
  /** ISO-8601 timestamp. */
  readonly at: string;
  readonly reason?: string;
  /** Who wrote it, when the writer must recognise its own write after a lost answer (an execution's step). */
  readonly by?: string;
}

export interface TransitionResult {
  /** Whether this call wrote the status (false: already there, or not allowed from the current status). */
  readonly changed: boolean;
  /** The order's status after the call. */
  readonly status: OrderStatus;
}
