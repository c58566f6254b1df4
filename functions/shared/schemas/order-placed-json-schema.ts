import { z } from 'zod';
import { OrderPlacedSchema } from './order-placed-schema.lazy';

/** Where the published contract lives in the repository, and its identity. */
export const ORDER_PLACED_JSON_SCHEMA_PATH = 'schemas/order-placed.v1.json';
export const ORDER_PLACED_JSON_SCHEMA_ID = 'https://orderflow.example/schemas/order-placed.v1.json';

/**
 * The JSON Schema (2020-12) of an OrderPlaced v1 record as a producer writes it, generated from the
 * zod schema so the two cannot say different things. Rules a JSON Schema cannot state are named in
 * its description (and in the README): they are checked by the ingest only.
 */
export const orderPlacedJsonSchema = (): Record<string, unknown> => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: ORDER_PLACED_JSON_SCHEMA_ID,
  title: 'OrderPlaced v1',
  description:
    'One order, as a line of a .jsonl file, an element of a .json array, or assembled from CSV rows. ' +
    'Money is in integer cents. Rules this schema cannot express, which the ingest also enforces: ' +
    'totalCents equals the sum of quantity x unitPriceCents; one sku never appears at two prices; ' +
    'at most 99 distinct skus and at most 10000 units per sku after lines of one sku are merged; ' +
    'text fields are trimmed before their length is checked; the record as written is at most ' +
    '65536 bytes of UTF-8, nested at most 32 levels, and has no key twice in one object.',
  ...z.toJSONSchema(OrderPlacedSchema, { io: 'input', target: 'draft-2020-12' }),
});

/** The file's text: what `npm run schema` writes and the drift test compares. */
export const orderPlacedJsonSchemaText = (): string =>
  `${JSON.stringify(orderPlacedJsonSchema(), null, 2)}\n`;
