import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ORDER_PLACED_JSON_SCHEMA_PATH,
  orderPlacedJsonSchemaText,
} from '../functions/shared/schemas/order-placed-json-schema';

// `npm run schema`: writes the published contract from the zod schema. Commit the result.
const target = join(__dirname, '..', ORDER_PLACED_JSON_SCHEMA_PATH);
writeFileSync(target, orderPlacedJsonSchemaText());
process.stdout.write(`wrote ${ORDER_PLACED_JSON_SCHEMA_PATH}\n`);
