import {
  isLiveParcel,
  netChargedCents,
  type Outage,
  type OutageKind,
  type PaymentBook,
  type ProviderBooks,
  type ShipmentBook,
  type SimulatedCharge,
  type SimulatedRefund,
} from '#shared/adapters/provider-books';
import { canTransition, type OrderStatus, type TransitionResult } from '#shared/domain/order-status';
import {
  type AcceptedOrder,
  type Clock,
  type DeclineCode,
  type InventoryPort,
  type Notifier,
  newPaymentRecord,
  type OrderCompletedNotification,
  type OrderRecord,
  type OrderRepository,
  type PaymentLedgerPort,
  type PaymentRecord,
  type ReleaseOutcome,
  type Reservation,
  type ReservationLine,
  type Shipment,
  type VoidOutcome,
} from '#shared/domain/ports';
import { ConflictingDuplicate } from '#shared/errors/index';
import { OutOfStock, SagaAlreadyStarted, ShipmentCancelled, UnknownSku } from '#shared/errors/saga';

/** In-memory implementations of the saga's ports, with the same rules as the DynamoDB adapters. */

export const fixedClock = (iso = '2026-11-22T12:00:00.000Z'): Clock & { advance(ms: number): void } => {
  let now = new Date(iso).getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
};

export class InMemoryInventory implements InventoryPort {
  readonly stock = new Map<string, number>();
  readonly reservations = new Map<string, Reservation>();

  constructor(stock: Record<string, number> = {}) {
    for (const [sku, available] of Object.entries(stock)) this.stock.set(sku, available);
  }

  async reserve(orderId: string, lines: readonly ReservationLine[], at: string) {
    const existing = this.reservations.get(orderId);
    if (existing) return { reservation: existing, created: false };
    const unknown = lines.filter((line) => !this.stock.has(line.sku)).map((line) => line.sku);
    if (unknown.length > 0) throw new UnknownSku(unknown);
    const shortages = lines
      .map((line) => ({ sku: line.sku, requested: line.quantity, available: this.stock.get(line.sku) ?? 0 }))
      .filter((line) => line.available < line.requested);
    if (shortages.length > 0) throw new OutOfStock(shortages);
    for (const line of lines) this.stock.set(line.sku, (this.stock.get(line.sku) ?? 0) - line.quantity);
    const reservation: Reservation = { orderId, lines, status: 'RESERVED', reservedAt: at };
    this.reservations.set(orderId, reservation);
    return { reservation, created: true };
  }

  async release(
    orderId: string,
    at: string,
  ): Promise<{ outcome: ReleaseOutcome; lines: readonly ReservationLine[] }> {
    const existing = this.reservations.get(orderId);
    if (!existing) {
      this.reservations.set(orderId, { orderId, lines: [], status: 'RELEASED', releasedAt: at });
      return { outcome: 'NOTHING_TO_RELEASE', lines: [] };
    }
    if (existing.status === 'RELEASED') {
      return existing.lines.length === 0
        ? { outcome: 'NOTHING_TO_RELEASE', lines: [] }
        : { outcome: 'ALREADY_RELEASED', lines: existing.lines };
    }
    for (const line of existing.lines)
      this.stock.set(line.sku, (this.stock.get(line.sku) ?? 0) + line.quantity);
    this.reservations.set(orderId, { ...existing, status: 'RELEASED', releasedAt: at });
    return { outcome: 'RELEASED', lines: existing.lines };
  }
}

export class InMemoryLedger implements PaymentLedgerPort {
  readonly items = new Map<string, PaymentRecord>();

  async get(orderId: string) {
    return this.items.get(orderId);
  }

  async open(orderId: string, amountCents: number, currency: string, at: string) {
    const existing = this.items.get(orderId);
    if (existing) return existing;
    const record = newPaymentRecord(orderId, amountCents, currency, at);
    this.items.set(orderId, record);
    return record;
  }

  async countChargeAttempt(orderId: string, at: string) {
    const item = this.items.get(orderId);
    if (item?.status !== 'PENDING') return undefined;
    this.items.set(orderId, { ...item, attempts: item.attempts + 1, updatedAt: at });
    return item.attempts + 1;
  }

  async countRefundAttempt(orderId: string, at: string) {
    const item = this.items.get(orderId);
    if (item?.status !== 'CHARGED') return undefined;
    this.items.set(orderId, { ...item, refundAttempts: item.refundAttempts + 1, updatedAt: at });
    return item.refundAttempts + 1;
  }

  async markCharged(orderId: string, chargeId: string, at: string) {
    return this.move(orderId, 'PENDING', { status: 'CHARGED', chargeId, updatedAt: at });
  }

  async markDeclined(orderId: string, declineCode: DeclineCode, declineReason: string, at: string) {
    return this.move(orderId, 'PENDING', { status: 'DECLINED', declineCode, declineReason, updatedAt: at });
  }

  async markRefunded(orderId: string, refundId: string, at: string) {
    return this.move(orderId, 'CHARGED', { status: 'REFUNDED', refundId, updatedAt: at });
  }

  async markVoided(orderId: string, amountCents: number, currency: string, at: string) {
    const item = this.items.get(orderId) ?? (await this.open(orderId, amountCents, currency, at));
    return this.move(orderId, 'PENDING', { status: 'VOIDED', voidedAt: item.voidedAt ?? at, updatedAt: at });
  }

  async countVoidAttempt(orderId: string, at: string) {
    const item = this.items.get(orderId);
    if (item?.status !== 'VOIDED') return undefined;
    this.items.set(orderId, { ...item, refundAttempts: item.refundAttempts + 1, updatedAt: at });
    return item.refundAttempts + 1;
  }

  async settleVoid(orderId: string, voidOutcome: VoidOutcome, refundId: string | undefined, at: string) {
    const item = this.items.get(orderId);
    if (!item) throw new Error(`no payment for ${orderId}`);
    if (item.status !== 'VOIDED' || item.voidOutcome) return item;
    const settled: PaymentRecord = { ...item, voidOutcome, ...(refundId ? { refundId } : {}), updatedAt: at };
    this.items.set(orderId, settled);
    return settled;
  }

  private move(
    orderId: string,
    from: PaymentRecord['status'],
    changes: Partial<PaymentRecord>,
  ): PaymentRecord {
    const item = this.items.get(orderId);
    if (!item) throw new Error(`no payment for ${orderId}`);
    if (item.status !== from) return item;
    const moved = { ...item, ...changes };
    this.items.set(orderId, moved);
    return moved;
  }
}

export class InMemoryOrders implements OrderRepository {
  readonly items = new Map<string, OrderRecord>();

  seed(orderId: string, status: OrderStatus = 'RECEIVED', statusReason?: string): void {
    this.items.set(orderId, {
      orderId,
      status,
      ...(statusReason ? { statusReason } : {}),
      history: [{ status, at: '2026-11-22T11:00:00.000Z' }],
    });
  }

  async get(orderId: string) {
    return this.items.get(orderId);
  }

  /** Content hashes by orderId, as the table keeps them next to the order. */
  readonly hashes = new Map<string, string>();

  async receive(accepted: AcceptedOrder, executionArn: string, at: string) {
    const { orderId } = accepted.order;
    const known = this.hashes.get(orderId);
    if (known !== undefined && known !== accepted.contentHash) throw new ConflictingDuplicate(orderId);
    const item = this.items.get(orderId);
    if (item?.sagaExecutionArn !== undefined && item.sagaExecutionArn !== executionArn) {
      throw new SagaAlreadyStarted(orderId, item.sagaExecutionArn);
    }
    this.hashes.set(orderId, accepted.contentHash);
    this.items.set(orderId, {
      orderId,
      status: item?.status ?? 'RECEIVED',
      history: item?.history ?? [{ status: 'RECEIVED', at }],
      ...(item?.shipment ? { shipment: item.shipment } : {}),
      ...(item?.shipmentCancelledAt ? { shipmentCancelledAt: item.shipmentCancelledAt } : {}),
      sagaExecutionArn: item?.sagaExecutionArn ?? executionArn,
    });
  }

  async transition(
    orderId: string,
    status: OrderStatus,
    at: string,
    reason?: string,
    by?: string,
  ): Promise<TransitionResult> {
    const item = this.items.get(orderId) ?? { orderId, history: [] };
    if (!canTransition(item.status, status)) return { changed: false, status: item.status ?? status };
    this.items.set(orderId, {
      ...item,
      status,
      ...(reason === undefined ? { statusReason: undefined } : { statusReason: reason }),
      history: [
        ...item.history,
        { status, at, ...(reason === undefined ? {} : { reason }), ...(by === undefined ? {} : { by }) },
      ],
    });
    return { changed: true, status };
  }

  async attachShipment(orderId: string, shipment: Shipment, _at?: string) {
    const item = this.items.get(orderId) ?? { orderId, history: [] };
    if (item.shipmentCancelledAt !== undefined) throw new ShipmentCancelled(orderId);
    if (item.shipment) return item.shipment;
    this.items.set(orderId, { ...item, shipment });
    return shipment;
  }

  async cancelShipment(orderId: string, at: string) {
    const item = this.items.get(orderId) ?? { orderId, history: [] };
    const cancelled = { ...item, shipmentCancelledAt: item.shipmentCancelledAt ?? at };
    this.items.set(orderId, cancelled);
    return cancelled;
  }
}

export class RecordingNotifier implements Notifier {
  readonly published: OrderCompletedNotification[] = [];
  failWith?: Error;

  async publish(notification: OrderCompletedNotification) {
    if (this.failWith) throw this.failWith;
    this.published.push(notification);
  }
}

/**
 * The simulated provider's books in memory, with the DynamoDB books' rules (one conditional write
 * per key), plus synchronous reads for assertions.
 */
export class InMemoryProviderBooks implements ProviderBooks {
  readonly payments = new Map<string, PaymentBook>();
  readonly shipments = new Map<string, ShipmentBook>();
  readonly outages = new Map<OutageKind, Outage>();

  async outage(kind: OutageKind) {
    return this.outages.get(kind);
  }

  async payment(key: string) {
    return this.payments.get(key) ?? { key };
  }

  async takeCharge(key: string, charge: SimulatedCharge, _at: string) {
    const book = this.payments.get(key) ?? { key };
    if (book.charge || book.voidedAt !== undefined) return book;
    return this.setPayment({ ...book, charge });
  }

  async giveBack(key: string, refund: SimulatedRefund, _at: string) {
    const book = this.payments.get(key) ?? { key };
    if (book.refund) return book;
    return this.setPayment({ ...book, refund });
  }

  async voidUnlessCharged(key: string, at: string) {
    const book = this.payments.get(key) ?? { key };
    if (book.charge) return book;
    return this.setPayment({ ...book, voidedAt: book.voidedAt ?? at });
  }

  async shipment(key: string) {
    return this.shipments.get(key) ?? { key };
  }

  async book(key: string, shipment: Shipment, _at: string) {
    const book = this.shipments.get(key) ?? { key };
    if (book.shipment || book.cancelledAt !== undefined) return book;
    return this.setShipment({ ...book, shipment });
  }

  async cancelBooking(key: string, at: string) {
    const book = this.shipments.get(key) ?? { key };
    return this.setShipment({ ...book, cancelledAt: book.cancelledAt ?? at });
  }

  chargeOf(key: string): SimulatedCharge | undefined {
    return this.payments.get(key)?.charge;
  }

  netChargedCents(key: string): number {
    return netChargedCents(this.payments.get(key) ?? { key });
  }

  isLive(key: string): boolean {
    return isLiveParcel(this.shipments.get(key) ?? { key });
  }

  isCancelled(key: string): boolean {
    return this.shipments.get(key)?.cancelledAt !== undefined;
  }

  private setPayment(book: PaymentBook): PaymentBook {
    this.payments.set(book.key, book);
    return book;
  }

  private setShipment(book: ShipmentBook): ShipmentBook {
    this.shipments.set(book.key, book);
    return book;
  }
}
