/**
 * The Task states the saga enters when the shipment fails, newest first: whatever the carrier
 * booked is cancelled, then the payment is refunded, then the stock is released.
 */
export const SHIPMENT_FAILED_TASKS = [
  'ReserveInventory',
  'ChargePayment',
  'CreateShipment',
  'CancelShipment',
  'RefundPayment',
  'ReleaseInventory',
  'RecordCancelled',
] as const;
