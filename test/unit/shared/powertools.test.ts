import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SQSClient } from '@aws-sdk/client-sqs';
import { makeTracer } from '../../../functions/shared/powertools';

const ROOT = path.join(__dirname, '..', '..', '..');

/** A fresh process builds a function's Powertools: was the X-Ray SDK loaded, and which tracer came back? */
const inFreshProcess = (traceEnabled: string | undefined): { xraySdkLoaded: boolean; tracer: string } => {
  const script = [
    "const { makePowertools } = require('./functions/shared/powertools.ts');",
    "const { tracer } = makePowertools('ingest');",
    "const xraySdkLoaded = Object.keys(require.cache).some((file) => file.split(require('node:path').sep).includes('aws-xray-sdk-core'));",
    'process.stdout.write(JSON.stringify({ xraySdkLoaded, tracer: tracer.constructor.name }));',
  ].join('\n');
  const env = { ...process.env };
  delete env.POWERTOOLS_TRACE_ENABLED;
  if (traceEnabled !== undefined) env.POWERTOOLS_TRACE_ENABLED = traceEnabled;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env });
  return JSON.parse(out.toString('utf8')) as { xraySdkLoaded: boolean; tracer: string };
};

describe('makeTracer (functions/shared/powertools)', () => {
  it('never loads the X-Ray SDK when POWERTOOLS_TRACE_ENABLED is false, as the stack sets it by default', () => {
    expect(inFreshProcess('false')).toEqual({ xraySdkLoaded: false, tracer: 'Object' });
    expect(inFreshProcess('FALSE')).toEqual({ xraySdkLoaded: false, tracer: 'Object' });
  }, 60_000);

  it("is Powertools' Tracer, X-Ray SDK and all, when tracing is on or left to Powertools", () => {
    expect(inFreshProcess('true')).toEqual({ xraySdkLoaded: true, tracer: 'Tracer' });
    expect(inFreshProcess(undefined)).toEqual({ xraySdkLoaded: true, tracer: 'Tracer' });
  }, 60_000);

  it('warns and does not trace when tracing is turned on in a bundle built without the Tracer', () => {
    // Arrange: what the alias of a bundle without SDK-call tracing resolves the Tracer to.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const previous = process.env.POWERTOOLS_TRACE_ENABLED;
    process.env.POWERTOOLS_TRACE_ENABLED = 'true';
    try {
      jest.isolateModules(() => {
        jest.doMock('@aws-lambda-powertools/tracer', () =>
          jest.requireActual('../../../lib/bundling/tracer-not-bundled'),
        );
        const { makeTracer: makeTracerInBundle } = jest.requireActual<
          typeof import('../../../functions/shared/powertools')
        >('../../../functions/shared/powertools');

        // Act
        const tracer = makeTracerInBundle('ingest');

        // Assert
        expect(tracer.isTracingEnabled()).toBe(false);
        expect(warn).toHaveBeenCalledWith(expect.stringContaining('-c traceSdkCalls=true'));
      });
    } finally {
      if (previous === undefined) delete process.env.POWERTOOLS_TRACE_ENABLED;
      else process.env.POWERTOOLS_TRACE_ENABLED = previous;
      jest.dontMock('@aws-lambda-powertools/tracer');
      warn.mockRestore();
    }
  });

  it("answers every call orderflow makes as Powertools' Tracer does with tracing disabled", () => {
    // Arrange
    const previous = process.env.POWERTOOLS_TRACE_ENABLED;
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';
    const untraced = makeTracer('ingest');
    if (previous === undefined) delete process.env.POWERTOOLS_TRACE_ENABLED;
    else process.env.POWERTOOLS_TRACE_ENABLED = previous;
    const disabled = new Tracer({ serviceName: 'ingest', enabled: false });
    const client = new SQSClient({ region: 'us-east-1' });
    const error = new Error('boom');

    // Act / Assert: the same client back, tracing off, and nothing else done.
    for (const tracer of [untraced, disabled]) {
      expect(tracer.captureAWSv3Client(client)).toBe(client);
      expect(tracer.isTracingEnabled()).toBe(false);
      expect(tracer.annotateColdStart()).toBeUndefined();
      expect(tracer.addServiceNameAnnotation()).toBeUndefined();
      expect(tracer.addErrorAsMetadata(error)).toBeUndefined();
    }
    // The disabled Tracer hands out a dummy X-Ray subsegment; the stand-in has none (orderflow asks
    // for a segment only when isTracingEnabled() says yes).
    expect(untraced.getSegment()).toBeUndefined();
  });
});
