import { createHash } from 'node:crypto';
import type { Carrier, Shipment, ShipmentRequest } from '#shared/domain/ports';
import { CarrierGatewayError, ShippingError } from '#shared/errors/saga';

/** Destinations the simulated carrier refuses (ISO 3166-1 alpha-2). */
export const SIMULATED_UNSUPPORTED_COUNTRIES: readonly string[] = ['AQ', 'KP'];
/** A postal code the simulated carrier cannot deliver to. */
export const SIMULATED_UNDELIVERABLE_POSTAL_CODE = '00000';
/** A postal code for which the carrier never answers (a transient error on every attempt). */
export const SIMULATED_CARRIER_DOWN_POSTAL_CODE = '99999';

export const SIMULATED_CARRIER_NAME = 'simulated-post';

/**
 * A carrier whose answers follow from the request: country AQ or KP, or postal code 00000 →
 * ShippingError; postal code 99999 → CarrierGatewayError (transient, on every attempt);
 * anything else → a tracking id derived from the idempotency key (`SIM` + 16 hex digits of
 * its sha-256), so the same order always gets the same shipment.
 */
export class SimulatedCarrier implements Carrier {
  async createShipment({ idempotencyKey, shipTo }: ShipmentRequest): Promise<Shipment> {
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
    return { trackingId: `SIM${digest}`, carrier: SIMULATED_CARRIER_NAME };
  }
}
