import fc from 'fast-check';
import {
  parseDetail,
  parseDetailWithSchema,
  plainDetail,
} from '../../../functions/saga/execution-ended/detail';

/**
 * execution-ended reads EventBridge's "Step Functions Execution Status Change" detail: plainDetail
 * answers for the usual one without building the zod schema, which judges every other. Together they
 * must give what the schema alone gives.
 */

const outcome = (parse: (detail: unknown) => unknown, detail: unknown): unknown => {
  try {
    return { output: parse(detail) };
  } catch (error) {
    return { thrown: (error as Error).message };
  }
};

const text = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<unknown>('x', 'arn:aws:states:us-east-1:1:execution:Saga:o-1', 'o-1'),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', 1, null, undefined, {}, [], 'absent') },
);
const nullishText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>('absent', null, 'States.Timeout', '{"order":{}}') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, 1, false, {}, []) },
);

const detailOf = fc
  .record({
    executionArn: text,
    name: text,
    status: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<unknown>('FAILED', 'TIMED_OUT', 'ABORTED') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(1, null, 'absent') },
    ),
    error: nullishText,
    cause: nullishText,
    input: nullishText,
    extra: fc.constantFrom('none', 'startDate', '__proto__'),
  })
  .map(({ extra, ...fields }) => {
    const detail: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== 'absent') detail[key] = value;
    if (extra !== 'none') {
      Object.defineProperty(detail, extra, {
        value: 1,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return detail;
  });

describe('execution-ended: parseDetail', () => {
  it('gives what the schema alone gives, output or reasons, on generated details', () => {
    let answered = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 9, arbitrary: detailOf }, { weight: 1, arbitrary: fc.jsonValue() }),
        (detail) => {
          expect(outcome(parseDetail, detail)).toStrictEqual(outcome(parseDetailWithSchema, detail));
          if (plainDetail(detail) !== undefined) answered += 1;
        },
      ),
      { numRuns: 1_000 },
    );
    // The property would hold for a plainDetail that answered for nothing: it answers for most.
    expect(answered).toBeGreaterThan(200);
  });
});
