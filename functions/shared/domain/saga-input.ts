import { contentHash, type OrderPlaced, validateOrder } from '#shared/schemas/order-placed';

/**
 * What a saga may be started with. process-order sends the envelope `{order, correlationId}`; a
 * person starting an execution by hand (the console, `aws stepfunctions start-execution`,
 * `orderflow start`) pastes the order itself. Both are accepted; anything else is refused with every
 * problem listed.
 */
export type SagaInputParse =
  | {
      readonly ok: true;
      readonly order: OrderPlaced;
      readonly canonical: string;
      readonly contentHash: string;
      /** From the envelope; absent when the input was the order itself. */
      readonly correlationId?: string;
    }
  | { readonly ok: false; readonly reasons: readonly string[] };

const ENVELOPE_KEYS = new Set(['order', 'correlationId']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the input either shape; an order is validated exactly as ingest and process-order validate it. */
export const parseSagaInput = (input: unknown): SagaInputParse => {
  if (!isObject(input)) {
    return {
      ok: false,
      reasons: [`the input must be an order or {"order": …, "correlationId": …}, not ${describe(input)}`],
    };
  }
  const isEnvelope = 'order' in input && !('orderId' in input);
  const reasons: string[] = [];
  let correlationId: string | undefined;
  if (isEnvelope) {
    for (const key of Object.keys(input)) {
      if (!ENVELOPE_KEYS.has(key))
        reasons.push(`${key}: not allowed next to "order" (only "correlationId" is)`);
    }
    const raw = input.correlationId;
    if (raw !== undefined && (typeof raw !== 'string' || raw.trim() === '')) {
      reasons.push('correlationId: must be a non-empty string when given');
    } else if (typeof raw === 'string') {
      correlationId = raw;
    }
  }
  const validated = validateOrder(isEnvelope ? input.order : input);
  if (!validated.ok)
    reasons.push(...validated.reasons.map((reason) => (isEnvelope ? `in order: ${reason}` : reason)));
  if (reasons.length > 0 || !validated.ok) return { ok: false, reasons };
  return {
    ok: true,
    order: validated.order,
    canonical: validated.canonical,
    contentHash: contentHash(validated.canonical),
    ...(correlationId === undefined ? {} : { correlationId }),
  };
};

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
};
