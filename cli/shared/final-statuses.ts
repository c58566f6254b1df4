import { type FinalStatus, IN_FLIGHT_STATUSES, ORDER_STATUSES } from '#shared/domain/order-status';

/** Statuses an order leaves no more: the pipeline is done with it. */
export const FINAL_STATUSES: readonly FinalStatus[] = ORDER_STATUSES.filter(
  (status): status is FinalStatus => !(IN_FLIGHT_STATUSES as readonly string[]).includes(status),
);

export { ORDER_STATUSES };
