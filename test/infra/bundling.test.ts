import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { OrderflowFunction } from '../../lib/constructs/orderflow-function';

const OPTIONAL_SDK_PACKAGES = new Set(['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a']);

/** One real esbuild run (local esbuild, never Docker) of a probe that imports the SDK. */
const bundleProbe = () => {
  // The CLI turns asset metadata on; an in-process App needs it asked for.
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Bundled');
  new OrderflowFunction(stack, 'Probe', {
    entry: 'test/infra/fixtures/bundle-probe.ts',
    serviceName: 'probe',
    timeout: Duration.seconds(3),
    memorySize: 128,
    logRetention: RetentionDays.ONE_DAY,
  });
  const assembly = app.synth();
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
  const assetDir = path.join(assembly.directory, fn?.Metadata['aws:asset:path'] as string);
  return { code: readFileSync(path.join(assetDir, 'index.js'), 'utf8'), assetDir };
};

describe('OrderflowFunction bundling', () => {
  const { code, assetDir } = bundleProbe();

  it('puts the AWS SDK inside the bundle instead of requiring the runtime copy', () => {
    // Act
    const sdkRequires = new Set(
      [...code.matchAll(/require\(["'](@aws-sdk\/[^"']+)["']\)/g)].map((m) => m[1]),
    );

    // Assert: only the optional SigV4a signers stay guarded requires (the SDK copes with their absence)
    expect([...sdkRequires].filter((name) => !OPTIONAL_SDK_PACKAGES.has(name ?? ''))).toEqual([]);
    expect(code.includes('GetQueueUrlCommand')).toBe(true);
  });

  it('minifies and writes a source map next to the bundle', () => {
    // Assert
    const lines = code.split('\n');
    expect(code.length / lines.length).toBeGreaterThan(1000);
    expect(existsSync(path.join(assetDir, 'index.js.map'))).toBe(true);
  });

  it('keeps class names through minification, so error names the saga matches survive', async () => {
    // Arrange
    const bundled = require(path.join(assetDir, 'index.js')) as { handler: () => Promise<string[]> };

    // Act
    const names = await bundled.handler();

    // Assert
    expect(names).toEqual(['ProbeFailure', 'GetQueueUrlCommand', 'SQSClient']);
  });
});
