import { createHash } from 'node:crypto';
import type { Carrier, CarrierCancellation, Shipment, ShipmentRequest } from '#shared/domain/ports';
import { OrderflowError } from '#shared/errors/index';
import { CarrierGatewayError, ShippingError } from '#shared/errors/saga';
import type { ProviderBooks } from './provider-books';

/** Destinations the simulated carrier refuses (ISO 3166-1 alpha-2). */
export const SIMULATED_UNSUPPORTED_COUNTRIES: readonly string[] = ['AQ', 'KP'];
/** A postal code the simulated carrier cannot deliver to. */
export const SIMULATED_UNDELIVERABLE_POSTAL_CODE = '00000';
/** A postal code for which the carrier never answers (a transient error on every attempt). */
export const SIMULATED_CARRIER_DOWN_POSTAL_CODE = '99999';
/** A postal code for which the carrier books the parcel, then its answer is lost (on every attempt). */
export const SIMULATED_CARRIER_LOST_ANSWER_POSTAL_CODE = '99998';

export const SIMULATED_CARRIER_NAME = 'simulated-post';

/** The carrier's clock: its books record when it booked and cancelled. */
const now = (): string => new Date().toISOString();

/** A failed call to the books is the carrier not answering (a transient gateway error). */
const unanswered = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OrderflowError) throw error;
    throw new CarrierGatewayError(
      `the carrier did not answer: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
};

/**
 * A carrier whose answers follow from the request and its books (a DynamoDB table shared by every
 * function): country AQ or KP, or postal code 00000 → ShippingError; postal code 99999 →
 * CarrierGatewayError on every attempt (nothing booked); postal code 99998 → booked, then
 * CarrierGatewayError on every attempt (the answer is lost); anything else → booked, with a tracking
 * id derived from the idempotency key (`SIM` + 16 hex digits of its sha-256), so the same order always
 * gets the same shipment. A cancelled key is never booked again (ShippingError). Cancelling is
 * idempotent: it cancels the key's booking, or with none, records the key so nothing is booked for it
 * later. A failed call to the books is the carrier not answering (CarrierGatewayError).
 */
export class SimulatedCarrier implements Carrier {
  constructor(private readonly books: ProviderBooks) {}

  async createShipment({ idempotencyKey, shipTo }: ShipmentRequest): Promise<Shipment> {
    const book = await unanswered(() => this.books.shipment(idempotencyKey));
    if (book.cancelledAt !== undefined) throw this.cancelled(idempotencyKey);
    if (book.shipment && shipTo.postalCode !== SIMULATED_CARRIER_LOST_ANSWER_POSTAL_CODE)
      return book.shipment;
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
    const booked = await unanswered(() =>
      this.books.book(idempotencyKey, { trackingId: `SIM${digest}`, carrier: SIMULATED_CARRIER_NAME }, now()),
    );
    // A cancellation landed first: the key is never booked.
    if (!booked.shipment) throw this.cancelled(idempotencyKey);
    if (shipTo.postalCode === SIMULATED_CARRIER_LOST_ANSWER_POSTAL_CODE) {
      throw new CarrierGatewayError(
        `the carrier did not answer after booking (postal code ${shipTo.postalCode})`,
      );
    }
    return booked.shipment;
  }

  async cancel(orderId: string): Promise<CarrierCancellation> {
    // During a cancellations outage the carrier answers no cancellation at all.
    const outage = await unanswered(() => this.books.outage('cancellations'));
    if (outage) {
      throw new CarrierGatewayError(`cancellations unavailable (simulated outage since ${outage.since})`);
    }
    const book = await unanswered(() => this.books.cancelBooking(orderId, now()));
    return book.shipment
      ? { outcome: 'cancelled', trackingId: book.shipment.trackingId }
      : { outcome: 'not-booked' };
  }

  private cancelled(key: string): ShippingError {
    return new ShippingError(`the booking ${key} was cancelled and is not made again`);
  }
}
