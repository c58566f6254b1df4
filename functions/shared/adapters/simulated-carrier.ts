import { createHash } from 'node:crypto';
import type { Carrier, CarrierCancellation, Shipment, ShipmentRequest } from '#shared/domain/ports';
import { CarrierGatewayError, ShippingError } from '#shared/errors/saga';

/** Destinations the simulated carrier refuses (ISO 3166-1 alpha-2). */
export const SIMULATED_UNSUPPORTED_COUNTRIES: readonly string[] = ['AQ', 'KP'];
/** A postal code the simulated carrier cannot deliver to. */
export const SIMULATED_UNDELIVERABLE_POSTAL_CODE = '00000';
/** A postal code for which the carrier never answers (a transient error on every attempt). */
export const SIMULATED_CARRIER_DOWN_POSTAL_CODE = '99999';
/** A postal code for which the carrier books the parcel, then its answer is lost (on every attempt). */
export const SIMULATED_CARRIER_LOST_ANSWER_POSTAL_CODE = '99998';

export const SIMULATED_CARRIER_NAME = 'simulated-post';

export interface SimulatedBooking {
  readonly shipment: Shipment;
  readonly status: 'BOOKED' | 'CANCELLED';
}

/**
 * The simulated carrier's own books, per idempotency key (the orderId): its bookings and
 * the keys cancelled before anything was booked. They, not the orders table, say whether a
 * parcel is live. Process memory, like the simulated payment provider's books: shared by every
 * carrier of one process (tests, the local runtime); deployed, one set per function instance.
 */
export class SimulatedCarrierBooks {
  private readonly bookings = new Map<string, SimulatedBooking>();
  private readonly cancelledUnbooked = new Set<string>();

  bookingOf(key: string): SimulatedBooking | undefined {
    return this.bookings.get(key);
  }

  /** Whether a parcel is booked and not cancelled for the key. */
  isLive(key: string): boolean {
    return this.bookings.get(key)?.status === 'BOOKED';
  }

  isCancelled(key: string): boolean {
    return this.cancelledUnbooked.has(key) || this.bookings.get(key)?.status === 'CANCELLED';
  }

  book(key: string, shipment: Shipment): Shipment {
    const booking = this.bookings.get(key) ?? { shipment, status: 'BOOKED' };
    this.bookings.set(key, booking);
    return booking.shipment;
  }

  cancel(key: string): CarrierCancellation {
    const booking = this.bookings.get(key);
    if (!booking) {
      this.cancelledUnbooked.add(key);
      return { outcome: 'not-booked' };
    }
    this.bookings.set(key, { ...booking, status: 'CANCELLED' });
    return { outcome: 'cancelled', trackingId: booking.shipment.trackingId };
  }
}

/** The books every SimulatedCarrier of this process uses unless it is given its own. */
export const simulatedCarrierBooks = new SimulatedCarrierBooks();

/**
 * A carrier whose answers follow from the request and its books: country AQ or KP, or postal
 * code 00000 → ShippingError; postal code 99999 → CarrierGatewayError on every attempt (nothing
 * booked); postal code 99998 → booked, then CarrierGatewayError on every attempt (the answer is
 * lost); anything else → booked, with a tracking id derived from the idempotency key (`SIM` + 16
 * hex digits of its sha-256), so the same order always gets the same shipment. A cancelled key
 * is never booked again (ShippingError). Cancelling is idempotent: it cancels the key's booking,
 * or with none, records the key so nothing is booked for it later.
 */
export class SimulatedCarrier implements Carrier {
  constructor(private readonly books: SimulatedCarrierBooks = simulatedCarrierBooks) {}

  async createShipment({ idempotencyKey, shipTo }: ShipmentRequest): Promise<Shipment> {
    if (this.books.isCancelled(idempotencyKey)) {
      throw new ShippingError(`the booking ${idempotencyKey} was cancelled and is not made again`);
    }
    const booked = this.books.bookingOf(idempotencyKey);
    if (booked && shipTo.postalCode !== SIMULATED_CARRIER_LOST_ANSWER_POSTAL_CODE) return booked.shipment;
    if (SIMULATED_UNSUPPORTED_COUNTRIES.includes(shipTo.country)) {
      throw new ShippingError(`the carrier does not deliver to country ${shipTo.country}`);
    }
    if (shipTo.postalCode === SIMULATED_UNDELIVERABLE_POSTAL_CODE) {
      throw new ShippingError(
        `the carrier cannot deliver to postal code ${shipTo.postalCode} in ${shipTo.country}`,
      );
    }
    if (shipTo.postalCode === SIMULATED_CARRIER_DOWN_POSTAL_CODE) {
      throw new CarrierGatewayError(`the carrier did not answer (postal code ${shipTo.postalCode})`);
    }
    const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16).toUpperCase();
    const shipment = this.books.book(idempotencyKey, {
      trackingId: `SIM${digest}`,
      carrier: SIMULATED_CARRIER_NAME,
    });
    if (shipTo.postalCode === SIMULATED_CARRIER_LOST_ANSWER_POSTAL_CODE) {
      throw new CarrierGatewayError(
        `the carrier did not answer after booking (postal code ${shipTo.postalCode})`,
      );
    }
    return shipment;
  }

  async cancel(orderId: string): Promise<CarrierCancellation> {
    return this.books.cancel(orderId);
  }
}
