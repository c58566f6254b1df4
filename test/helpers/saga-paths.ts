/** The Task states the saga enters when the shipment fails: the payment is refunded before the stock is released. */
export const SHIPMENT_FAILED_TASKS = [
  'ReserveInventory',
  'ChargePayment',
  'CreateShipment',
  'RefundPayment',
  'ReleaseInventory',
  'RecordCancelled',
] as const;
