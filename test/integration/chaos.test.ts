import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { ChaosRunResult } from '../../cli/chaos/run';

const ROOT = path.join(__dirname, '..', '..');

/**
 * `orderflow chaos` as a user runs it: its own process, its own fresh local runtime (the runtime's
 * function instances need module isolation that jest's module registry does not give).
 */
const chaos = (seed: number): Promise<{ code: number | null; result?: ChaosRunResult; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/orderflow.ts',
        'chaos',
        '--orders',
        '500',
        '--rate',
        '0.1',
        '--seed',
        String(seed),
        '--json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      resolve({
        code,
        ...(text.trim().startsWith('{') ? { result: JSON.parse(text) as ChaosRunResult } : {}),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });

/** Fault kinds every run of this size meets, so a run that injected nothing cannot pass. */
const EXPECTED_FAULTS = [
  'aws.throttle',
  'aws.server-error',
  'aws.connection-reset',
  'aws.response-lost',
  'aws.fails-all-sdk-attempts',
  'lambda.crash',
  'lambda.crash-after-work',
  'lambda.timeout',
  'lambda.late-answer',
  'lambda.service-error',
] as const;

describe('orderflow chaos: 500 orders at a 10 % fault rate', () => {
  it.each([1, 2, 3])(
    'keeps every invariant with seed %i: no order, cent or unit of stock lost, no order cancelled that could go through',
    async (seed) => {
      // Act
      const { code, result, stderr } = await chaos(seed);

      // Assert
      // A run that exits 1 says why in its violations; one that crashed, in stderr.
      expect({
        code,
        violations: result?.violations ?? [],
        stderr: code === 0 || result ? '' : stderr.slice(-2000),
      }).toEqual({ code: 0, violations: [], stderr: '' });
      expect({ violations: result?.violations, waits: result?.waits }).toEqual({
        violations: [],
        waits: expect.any(Array),
      });
      expect(result?.verify.records.read).toBeGreaterThanOrEqual(500);
      for (const kind of EXPECTED_FAULTS)
        expect({ kind, injected: (result?.faults[kind] ?? 0) > 0 }).toEqual({ kind, injected: true });
      expect(
        Object.values(result?.verify.ordersByStatus ?? {}).reduce((sum, n) => sum + n, 0),
      ).toBeGreaterThanOrEqual(490);
    },
    600_000,
  );
});
