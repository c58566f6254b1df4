import { gzipSync } from 'node:zlib';
import { contentHash, type OrderPlacedInput, validateOrder } from '#shared/schemas/order-placed';
import { Random } from '../../local/chaos/random';

/** The final status a valid order's own data leads to, and the start of its reason. */
export interface ExpectedOutcome {
  readonly status: 'COMPLETED' | 'CANCELLED' | 'REJECTED' | 'NEEDS_ATTENTION';
  /** The reason starts with this (an error name, or the step that could not finish). */
  readonly reason?: string;
}

export interface FeedFile {
  readonly key: string;
  readonly body: Buffer;
  /** Upload it again under the same key once the first upload is in (a user re-sending a file). */
  readonly uploadAgain: boolean;
}

export interface Feed {
  readonly files: readonly FeedFile[];
  readonly inventory: readonly { readonly sku: string; readonly available: number }[];
  /** Every valid version of every order in the feed, by orderId, with what its data leads to. */
  readonly orders: ReadonlyMap<
    string,
    readonly { readonly contentHash: string; readonly expected: ExpectedOutcome }[]
  >;
  readonly counts: {
    readonly records: number;
    readonly invalid: number;
    readonly resent: number;
    readonly conflicting: number;
    readonly distinctOrders: number;
  };
}

const SKUS = Array.from({ length: 20 }, (_, i) => `CHAOS-SKU-${String(i + 1).padStart(2, '0')}`);
const SOLD_OUT = 'CHAOS-SOLD-OUT';
const NOT_STOCKED = 'CHAOS-NOT-STOCKED';
/** Enough that only the sold-out sku ever runs out, whatever the run's size. */
const PLENTY = 10_000_000;

type Path =
  | 'complete'
  | 'flaky-gateway'
  | 'declined'
  | 'insufficient-funds'
  | 'over-funds-limit'
  | 'gateway-down'
  | 'charge-answer-lost'
  | 'refund-down-completes'
  | 'ships-nowhere'
  | 'ships-nowhere-refund-flaky'
  | 'ships-nowhere-refund-down'
  | 'carrier-down'
  | 'carrier-answer-lost'
  | 'sold-out'
  | 'unknown-sku';

/** How often each saga path appears in a generated feed: most orders complete, every path shows. */
const PATHS: readonly (readonly [Path, number])[] = [
  ['complete', 55],
  ['flaky-gateway', 5],
  ['declined', 4],
  ['insufficient-funds', 3],
  ['over-funds-limit', 2],
  ['gateway-down', 2],
  ['charge-answer-lost', 3],
  ['refund-down-completes', 2],
  ['ships-nowhere', 4],
  ['ships-nowhere-refund-flaky', 2],
  ['ships-nowhere-refund-down', 2],
  ['carrier-down', 2],
  ['carrier-answer-lost', 2],
  ['sold-out', 2],
  ['unknown-sku', 2],
];

const TOKENS: Partial<Record<Path, string>> = {
  'flaky-gateway': 'tok_flaky',
  declined: 'tok_decline',
  'insufficient-funds': 'tok_insufficient_funds',
  'gateway-down': 'tok_gateway_down',
  'charge-answer-lost': 'tok_charge_timeout',
  'refund-down-completes': 'tok_refund_down',
  'ships-nowhere-refund-flaky': 'tok_refund_flaky',
  'ships-nowhere-refund-down': 'tok_refund_down',
};

/** What the pipeline must make of an order, from its own data (the README's token and address tables). */
export const expectedOutcome = (order: OrderPlacedInput): ExpectedOutcome => {
  const skus = order.items.map((item) => item.sku);
  if (skus.includes(NOT_STOCKED)) return { status: 'REJECTED', reason: 'UnknownSku' };
  if (skus.includes(SOLD_OUT)) return { status: 'REJECTED', reason: 'OutOfStock' };
  const token = order.payment.token;
  if (token === 'tok_decline') return { status: 'CANCELLED', reason: 'PaymentDeclined' };
  if (token === 'tok_insufficient_funds' || order.totalCents > 10_000_000) {
    return { status: 'CANCELLED', reason: 'InsufficientFunds' };
  }
  if (token === 'tok_gateway_down' || token === 'tok_charge_timeout') {
    return { status: 'CANCELLED', reason: 'PaymentGatewayError' };
  }
  const { country, postalCode } = order.shipTo;
  const shipping =
    ['AQ', 'KP'].includes(country) || postalCode === '00000'
      ? 'ShippingError'
      : ['99999', '99998'].includes(postalCode)
        ? 'CarrierGatewayError'
        : undefined;
  if (shipping === undefined) return { status: 'COMPLETED' };
  // The execution fails in RefundPayment; the execution-ended rule records its error as the reason.
  if (token === 'tok_refund_down') {
    return {
      status: 'NEEDS_ATTENTION',
      reason: 'execution FAILED: PaymentGatewayError (refunds unavailable',
    };
  }
  return { status: 'CANCELLED', reason: shipping };
};

const orderFor = (random: Random, orderId: string, path: Path): OrderPlacedInput => {
  const lines = random.int(1, 3);
  const skus = [...new Set(Array.from({ length: lines }, () => random.pick(SKUS)))];
  if (path === 'sold-out') skus[0] = SOLD_OUT;
  if (path === 'unknown-sku') skus[0] = NOT_STOCKED;
  const items = skus.map((sku) => ({
    sku,
    quantity: random.int(1, 3),
    unitPriceCents: path === 'over-funds-limit' ? 10_000_001 : random.int(100, 20_000),
  }));
  const shipTo =
    path === 'ships-nowhere' || path === 'ships-nowhere-refund-flaky' || path === 'ships-nowhere-refund-down'
      ? random.pick([
          { country: 'AQ', postalCode: '10001' },
          { country: 'KP', postalCode: '10002' },
          { country: 'DE', postalCode: '00000' },
        ])
      : path === 'carrier-down'
        ? { country: 'DE', postalCode: '99999' }
        : path === 'carrier-answer-lost'
          ? { country: 'FR', postalCode: '99998' }
          : random.pick([
              { country: 'DE', postalCode: '10115' },
              { country: 'FR', postalCode: '75001' },
              { country: 'NL', postalCode: '1012' },
            ]);
  return {
    schemaVersion: 1,
    orderId,
    customerId: `cust-${random.int(1, 500)}`,
    currency: random.pick(['EUR', 'USD', 'GBP']),
    items,
    totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
    payment: { token: TOKENS[path] ?? random.pick(['tok_visa', 'tok_mastercard']) },
    shipTo,
    placedAt: `2026-11-${String(random.int(1, 28)).padStart(2, '0')}T${String(random.int(0, 23)).padStart(2, '0')}:15:00Z`,
  };
};

/** Records every reader and the schema must refuse, each for its own reason. */
const invalidRecord = (random: Random, n: number): unknown => {
  const base = orderFor(random, `chaos-bad-${n}`, 'complete');
  return random.pick<unknown>([
    { ...base, totalCents: base.totalCents + 1 },
    { ...base, orderId: `bad id ${n}` },
    { ...base, currency: 'euro' },
    { ...base, items: [] },
    { ...base, placedAt: 'yesterday' },
    { ...base, payment: {} },
  ]);
};

type Entry =
  | { readonly kind: 'order'; readonly order: OrderPlacedInput }
  | { readonly kind: 'invalid'; readonly value: unknown };

const CSV_HEADER =
  'order_id,customer_id,currency,sku,quantity,unit_price_cents,total_cents,payment_token,ship_country,ship_postal_code,placed_at';

const csvRows = (value: Record<string, unknown>): string[] => {
  const order = value as unknown as OrderPlacedInput;
  const items =
    Array.isArray(order.items) && order.items.length > 0
      ? order.items
      : [{ sku: '', quantity: '', unitPriceCents: '' }];
  return items.map((item) =>
    [
      order.orderId,
      order.customerId,
      order.currency,
      item.sku,
      item.quantity,
      item.unitPriceCents,
      order.totalCents,
      (order.payment as { token?: string } | undefined)?.token ?? '',
      order.shipTo?.country,
      order.shipTo?.postalCode,
      order.placedAt,
    ]
      .map((field) => String(field ?? ''))
      .join(','),
  );
};

const render = (format: string, entries: readonly Entry[]): Buffer => {
  const values = entries.map((entry) => (entry.kind === 'order' ? entry.order : entry.value));
  if (format.startsWith('csv')) {
    const rows = values.flatMap((value) => csvRows(value as Record<string, unknown>));
    return Buffer.from(`${CSV_HEADER}\n${rows.join('\n')}\n`);
  }
  if (format.startsWith('json.')) return Buffer.from(`${JSON.stringify(values, null, 1)}\n`);
  return Buffer.from(`${values.map((value) => JSON.stringify(value)).join('\n')}\n`);
};

const FORMATS = ['jsonl', 'csv', 'jsonl.gz', 'json.json', 'csv.gz', 'ndjson'] as const;
const EXTENSION: Record<(typeof FORMATS)[number], string> = {
  jsonl: 'jsonl',
  csv: 'csv',
  'jsonl.gz': 'jsonl.gz',
  'json.json': 'json',
  'csv.gz': 'csv.gz',
  ndjson: 'ndjson',
};

/**
 * A feed that looks like a real one, the same for the same seed: several files in JSONL, CSV, JSON
 * and gzip; about 2 % invalid records; exact re-sends of lines; about 1 % of orders sent again with
 * other content under the same orderId; one file uploaded twice; and payment tokens, addresses and
 * skus that take every path of the saga.
 */
export const generateFeed = (seed: number, orderCount: number): Feed => {
  const random = new Random(seed).fork('feed');
  const orders = new Map<string, { contentHash: string; expected: ExpectedOutcome }[]>();
  const fileCount = Math.max(FORMATS.length, Math.ceil(orderCount / 200));
  const files: Entry[][] = Array.from({ length: fileCount }, () => []);
  const remember = (order: OrderPlacedInput): void => {
    const validated = validateOrder(order);
    if (!validated.ok)
      throw new Error(`generated an invalid order ${order.orderId}: ${validated.reasons.join('; ')}`);
    const versions = orders.get(order.orderId) ?? [];
    versions.push({ contentHash: contentHash(validated.canonical), expected: expectedOutcome(order) });
    orders.set(order.orderId, versions);
  };
  let invalid = 0;
  let resent = 0;
  let conflicting = 0;
  for (let n = 1; n <= orderCount; n += 1) {
    const order = orderFor(random, `chaos-${seed}-${String(n).padStart(6, '0')}`, random.weighted(PATHS));
    remember(order);
    const file = random.int(0, fileCount - 1);
    files[file]?.push({ kind: 'order', order });
    if (random.chance(0.02)) {
      // The same line again, later in this file or in another one.
      files[random.int(file, fileCount - 1)]?.push({ kind: 'order', order });
      resent += 1;
    } else if (random.chance(0.01)) {
      // The same orderId with other content, in a later file.
      const other = { ...order, customerId: `${order.customerId}-changed` };
      remember(other);
      files[random.int(file, fileCount - 1)]?.push({ kind: 'order', order: other });
      conflicting += 1;
    }
    if (random.chance(0.02)) {
      files[random.int(0, fileCount - 1)]?.push({ kind: 'invalid', value: invalidRecord(random, n) });
      invalid += 1;
    }
  }
  const reuploaded = random.int(0, fileCount - 1);
  const feedFiles = files.map((entries, index) => {
    const format = FORMATS[index % FORMATS.length] ?? 'jsonl';
    const raw = render(format, entries);
    return {
      key: `incoming/chaos-${seed}/part-${String(index + 1).padStart(3, '0')}.${EXTENSION[format]}`,
      body: format.endsWith('.gz') ? gzipSync(raw) : raw,
      uploadAgain: index === reuploaded,
    };
  });
  return {
    files: feedFiles,
    inventory: [...SKUS.map((sku) => ({ sku, available: PLENTY })), { sku: SOLD_OUT, available: 0 }],
    orders,
    counts: {
      records: files.reduce((sum, entries) => sum + entries.length, 0),
      invalid,
      resent,
      conflicting,
      distinctOrders: orders.size,
    },
  };
};
