import { search as jmespathSearch } from '@aws-lambda-powertools/jmespath';
import { PowertoolsFunctions as RealPowertoolsFunctions } from '@aws-lambda-powertools/jmespath/functions';
import fc from 'fast-check';
import { makeIngestIdempotencyConfig } from '../../../functions/ingest/ingest-once';
import { ORDER_IDEMPOTENCY_PATHS } from '../../../functions/process-order/sqs-handler';
import { ORDERFLOW_BUNDLING } from '../../../lib/bundling/bundle';
import { PowertoolsFunctions } from '../../../lib/bundling/jmespath-fields/functions';
import { search } from '../../../lib/bundling/jmespath-fields/index';
import { PROJECT_ROOT } from '../../../lib/project-root';

/** The real package, as Powertools idempotency calls it (with its default custom functions). */
const real = (expression: string, data: unknown): unknown =>
  jmespathSearch(expression, data as Parameters<typeof jmespathSearch>[1], {
    customFunctions: new RealPowertoolsFunctions(),
  });

const ours = (expression: string, data: unknown): unknown =>
  search(expression, data, { customFunctions: new PowertoolsFunctions() });

// A few names, so generated objects often hold the fields an expression picks.
const name = fc.constantFrom('orderId', 'contentHash', 'bucket', 'key', 'version', 'a', 'b_1', '_x');
const chain = fc.array(name, { minLength: 1, maxLength: 3 });
const expression = fc.oneof(
  chain.map((fields) => fields.join('.')),
  chain.map((fields) => fields.join(' . ')),
  fc
    .array(chain, { minLength: 1, maxLength: 4 })
    .map((list) => `[${list.map((f) => f.join('.')).join(', ')}]`),
  fc
    .array(chain, { minLength: 1, maxLength: 4 })
    .map((list) => ` [ ${list.map((f) => f.join('.')).join(',')} ] `),
);
const { data } = fc.letrec((tie) => ({
  data: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5, '', 'text'),
    fc.array(tie('data'), { maxLength: 3 }),
    fc.dictionary(name, tie('data'), { maxKeys: 5 }),
  ),
}));

describe('the JMESPath stand-in of the function bundles (lib/bundling/jmespath-fields)', () => {
  it('selects exactly what @aws-lambda-powertools/jmespath selects, for fields, dotted fields and multi-select lists', () => {
    fc.assert(
      fc.property(expression, data, (expr, value) => {
        expect(ours(expr, value)).toStrictEqual(real(expr, value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('picks the idempotency keys of ingest and process-order as the real package does', () => {
    const file = { bucket: 'orders', key: 'incoming/a.jsonl', version: 'v1', sequencer: '00AB' };
    const ingestKey = makeIngestIdempotencyConfig().eventKeyJmesPath;
    expect(ours(ingestKey, file)).toStrictEqual(['orders', 'incoming/a.jsonl', 'v1']);
    expect(ours(ingestKey, file)).toStrictEqual(real(ingestKey, file));
    expect(ours(ingestKey, { bucket: 'orders' })).toStrictEqual(real(ingestKey, { bucket: 'orders' }));

    const order = { orderId: 'o-1', contentHash: 'abc', order: { orderId: 'o-1' } };
    for (const path of [ORDER_IDEMPOTENCY_PATHS.eventKey, ORDER_IDEMPOTENCY_PATHS.payloadValidation]) {
      expect(ours(path, order)).toStrictEqual(real(path, order));
      expect(ours(path, {})).toBeNull();
    }
    expect(ours(ORDER_IDEMPOTENCY_PATHS.eventKey, order)).toBe('o-1');
  });

  it.each([
    'orders[0]',
    'orders[*].id',
    'powertools_json(body).orderId',
    'a || b',
    '"quoted"',
    '{a: a}',
    '[]',
    'a.',
    '',
  ])('refuses %j: it selects fields only, and says so', (expr) => {
    expect(() => ours(expr, { a: 1 })).toThrow(/not supported in orderflow bundles/);
  });

  it('is what the bundles get for the package and its functions entry', () => {
    expect(ORDERFLOW_BUNDLING.alias['@aws-lambda-powertools/jmespath']).toBe(
      `${PROJECT_ROOT}/lib/bundling/jmespath-fields`,
    );
  });
});
