import { buildApp } from './support/app';

/** A partition written out in an ARN (`arn:aws:`, `arn:aws-cn:`, …) instead of `AWS::Partition`. */
const LITERAL_PARTITION = /arn:aws[a-z-]*:/;

/** Every string in the template that names a partition, with where it sits. */
const literalPartitions = (value: unknown, at: string): string[] => {
  if (typeof value === 'string')
    return LITERAL_PARTITION.test(value) ? [`${at}: ${value.slice(0, 120)}`] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => literalPartitions(item, `${at}[${index}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(LITERAL_PARTITION.test(key) ? [`${at}: key ${key}`] : []),
      ...literalPartitions(item, `${at}.${key}`),
    ]);
  }
  return [];
};

describe('partition', () => {
  it.each(['dev', 'prod'])(
    'names no partition in any %s template, so the app deploys to any partition',
    (stage) => {
      // Arrange
      const assembly = buildApp({ stage }).app.synth();

      // Act
      const found = assembly.stacks.flatMap((stack) => literalPartitions(stack.template, stack.stackName));

      // Assert
      expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
        `orderflow-${stage}-pipeline`,
        `orderflow-${stage}-stateful`,
      ]);
      expect(found).toEqual([]);
    },
  );
});
