import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type CliClients, makeCliClients } from '../../cli/shared/clients';
import { namesFromOutputs, type PipelineNames } from '../../cli/shared/names';
import { peekMessages } from '../../cli/shared/queue-messages';
import { LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS } from '../../lib/bundling/bundle';
import { NODE_MAJOR } from '../../lib/node-runtime';
import { PROJECT_ROOT } from '../../lib/project-root';
import { sandboxEnvironment } from '../../local/lambda/environment';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { outcomesOf, runSampleJourney, SAMPLE_OUTCOMES } from '../helpers/sample-journey';

/**
 * The optional SigV4a signers stay guarded requires in every bundle: the SDK copes with their absence.
 * The credential providers the default chain tries after the environment's are left out on purpose
 * (LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS): Lambda and the local runtime always set the variables.
 */
const OPTIONAL_SDK_PACKAGES = new Set<string>([
  '@aws-sdk/signature-v4-crt',
  '@aws-sdk/signature-v4a',
  ...LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS,
]);

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pollUntil = async (done: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return done();
};

/**
 * What ships, run: the local runtime synthesizes the app as `cdk synth` does, bundles included,
 * and runs every function from its bundle in a Node.js process of its own. The sample journey
 * drives an S3 put into ingest, FIFO batches into process-order and saga states into every step.
 */
describe('the local runtime on the cdk synth bundles', () => {
  let runtime: LocalRuntime;
  let clients: CliClients;
  let names: PipelineNames;

  beforeAll(async () => {
    // A slower time scale than the in-process tests: task timeouts must cover a cold sandbox on a busy machine.
    runtime = await startLocalRuntime({ bundled: true, timeScale: 0.2, quiet: true });
    const endpoint = runtime.endpoint;
    clients = makeCliClients(
      { s3: endpoint, sqs: endpoint, dynamodb: endpoint, sfn: endpoint },
      { credentials: { accessKeyId: runtime.aws.accessKeyId, secretAccessKey: runtime.aws.secretAccessKey } },
    );
    names = namesFromOutputs(runtime.outputs);
  }, 180_000);

  afterAll(async () => {
    clients?.destroy();
    await runtime?.stop();
  });

  it('runs each function from its bundle, in a Node.js process of its own with no node_modules above it', () => {
    // Act
    const sandboxes = runtime.sandboxes();

    // Assert
    expect(runtime.bundled).toBe(true);
    expect(sandboxes.map((sandbox) => sandbox.functionName).sort()).toEqual(
      runtime.topology.functions.map((fn) => fn.name).sort(),
    );
    for (const sandbox of sandboxes) {
      expect(sandbox.bundle.startsWith(tmpdir())).toBe(true);
      expect(sandbox.bundle.startsWith(PROJECT_ROOT)).toBe(false);
      expect(existsSync(path.join(sandbox.bundle, 'index.js'))).toBe(true);
      expect(sandbox.nodeVersion?.startsWith(`v${NODE_MAJOR}.`)).toBe(true);
      expect(sandbox.pid).not.toBe(process.pid);
      expect(() =>
        createRequire(path.join(sandbox.bundle, 'index.js')).resolve('@aws-sdk/client-dynamodb'),
      ).toThrow(/Cannot find module/);
    }
  });

  it('settles the sample journey exactly as the sources do', async () => {
    // Act
    const { view, unsettled, orders } = await runSampleJourney(
      runtime,
      clients,
      names,
      'incoming/bundled orders.jsonl',
      90_000,
    );

    // Assert: the rejects report, the orders' final statuses, the DLQ and every function at work
    expect(unsettled).toBeUndefined();
    expect(view.report?.summary).toMatchObject({
      recordsRead: 26,
      accepted: 21,
      rejected: 5,
      complete: true,
    });
    expect(view.report?.rejects).toHaveLength(5);
    expect(outcomesOf(orders)).toEqual(SAMPLE_OUTCOMES);
    const dead = await peekMessages(clients.sqs, names.ordersDlqUrl);
    expect(dead.map((message) => [message.groupId, message.attributes.errorType])).toEqual([
      ['ord-2026-1002', 'ConflictingDuplicate'],
    ]);
    const invoked = [...runtime.invocations()]
      .filter(([, stats]) => stats.invocations > 0)
      .map(([name]) => name);
    for (const step of [
      'Ingest',
      'ProcessOrder',
      'ReserveInventory',
      'ChargePayment',
      'ConfirmOrder',
      'RecordOutcome',
    ]) {
      expect(invoked.some((name) => name.includes(step))).toBe(true);
    }
  }, 120_000);

  it('ships minified bundles that carry the AWS SDK, without source maps, and keep function names', async () => {
    // Arrange
    const bundles = runtime.topology.functions.map((fn) => fn.bundle ?? '');
    const ingest = runtime.topology.functions.find((fn) => fn.entry === 'functions/ingest/handler.ts');
    const ingestBundle = ingest?.bundle ?? '';

    // Act: load the ingest bundle once more in a plain Node.js process with the function's environment
    const { stdout: handlerName } = await promisify(execFile)(
      process.execPath,
      ['-e', "process.stdout.write(require('./index.js').handler.name)"],
      { cwd: ingestBundle, env: ingest ? sandboxEnvironment(ingest, runtime.aws, ingestBundle) : {} },
    );

    // Assert
    for (const bundle of bundles) {
      const code = readFileSync(path.join(bundle, 'index.js'), 'utf8');
      const sdkRequires = [...code.matchAll(/require\(["'](@aws-sdk\/[^"']+)["']\)/g)].map((m) => m[1] ?? '');
      expect(sdkRequires.filter((name) => !OPTIONAL_SDK_PACKAGES.has(name))).toEqual([]);
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      expect(existsSync(path.join(bundle, 'index.js.map'))).toBe(false);
      expect(code).not.toMatch(/sourceMappingURL/);
    }
    // Minified without keepNames, `export const handler = async …` takes its minified binding's name.
    expect(handlerName).toBe('handler');
  });

  it('ends every sandbox process and removes the bundles when it stops', async () => {
    // Arrange
    const pids = runtime.sandboxes().flatMap((sandbox) => (sandbox.pid === undefined ? [] : [sandbox.pid]));
    const bundleDir = path.dirname(runtime.sandboxes()[0]?.bundle ?? '');

    // Act
    await runtime.stop();

    // Assert
    expect(pids).toHaveLength(runtime.topology.functions.length);
    expect(await pollUntil(() => pids.every((pid) => !isRunning(pid)), 5_000)).toBe(true);
    expect(existsSync(bundleDir)).toBe(false);
  });
});
