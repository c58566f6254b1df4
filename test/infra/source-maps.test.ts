import { Template } from 'aws-cdk-lib/assertions';
import { ENTRY_METADATA_KEY } from '../../lib/contract';
import { buildApp } from './support/app';

const nodeOptionsOfOrderflowFunctions = (context: Record<string, unknown>): (string | undefined)[] => {
  const { stateful, pipeline } = buildApp(context);
  return [stateful, pipeline].flatMap((stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .filter((resource) => resource.Metadata?.[ENTRY_METADATA_KEY] !== undefined)
      .map((resource) => resource.Properties.Environment?.Variables?.NODE_OPTIONS as string | undefined),
  );
};

describe('source maps', () => {
  it.each(['dev', 'prod'])('are off in %s: no --enable-source-maps on any function', (stage) => {
    // Act
    const nodeOptions = nodeOptionsOfOrderflowFunctions({ stage });

    // Assert
    expect(nodeOptions.length).toBeGreaterThan(0);
    expect(new Set(nodeOptions)).toEqual(new Set([undefined]));
  });

  it('turn on for every function with -c sourceMaps=true, for readable stack traces', () => {
    // Act
    const nodeOptions = nodeOptionsOfOrderflowFunctions({ stage: 'dev', sourceMaps: 'true' });

    // Assert
    expect(nodeOptions.length).toBeGreaterThan(0);
    expect(new Set(nodeOptions)).toEqual(new Set(['--enable-source-maps']));
  });
});
