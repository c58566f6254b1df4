import { Template } from 'aws-cdk-lib/assertions';
import { ENTRY_METADATA_KEY } from '../../lib/contract';
import { buildApp } from './support/app';

interface FunctionTracing {
  readonly mode: unknown;
  readonly powertools: unknown;
}

const tracingOfOrderflowFunctions = (context: Record<string, unknown>): FunctionTracing[] => {
  const { stateful, pipeline } = buildApp(context);
  return [stateful, pipeline].flatMap((stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .filter((resource) => resource.Metadata?.[ENTRY_METADATA_KEY] !== undefined)
      .map((resource) => ({
        mode: resource.Properties.TracingConfig?.Mode,
        powertools: resource.Properties.Environment?.Variables?.POWERTOOLS_TRACE_ENABLED,
      })),
  );
};

describe('tracing', () => {
  it.each(['dev', 'prod'])(
    "keeps Lambda's active tracing and leaves Powertools' Tracer (the X-Ray SDK) off in %s",
    (stage) => {
      // Act
      const functions = tracingOfOrderflowFunctions({ stage });

      // Assert
      expect(functions.length).toBeGreaterThan(10);
      expect(new Set(functions.map((fn) => JSON.stringify(fn)))).toEqual(
        new Set([JSON.stringify({ mode: 'Active', powertools: 'false' })]),
      );
    },
  );

  it("turns Powertools' Tracer on for every function with -c traceSdkCalls=true", () => {
    // Act
    const functions = tracingOfOrderflowFunctions({ stage: 'prod', traceSdkCalls: 'true' });

    // Assert
    expect(functions.length).toBeGreaterThan(10);
    expect(new Set(functions.map((fn) => JSON.stringify(fn)))).toEqual(
      new Set([JSON.stringify({ mode: 'Active', powertools: 'true' })]),
    );
  });
});
