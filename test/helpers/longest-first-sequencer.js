// Jest starts the longest files first so that two workers finish together: without a timing cache (a
// fresh CI machine) jest orders by file size, which put the chaos test (small file, about five minutes)
// last and made it the tail of the whole run.
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST = [
  'chaos.test.ts',
  'cli.test.ts',
  'ingest-continuation.test.ts',
  'local-runtime-bundled.test.ts',
];
const rank = (test) => {
  const index = LONGEST.findIndex((name) => test.path.endsWith(name));
  return index === -1 ? LONGEST.length : index;
};

class LongestFirstSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
