import type { IntrinsicResolver } from '../cfn/intrinsics';
import { isJsonMap, type Json, resourcesOfType, type SynthesizedStack } from '../cfn/template';
import { numberOr, originOf } from './origin';
import type {
  AttributeDefinition,
  KeyElement,
  LocalQueue,
  LocalTable,
  LocalTopic,
  RedrivePolicy,
  SecondaryIndex,
} from './types';

/** Queue properties that are SQS attributes of the same name; KMS ones are left out (no KMS locally). */
const QUEUE_ATTRIBUTES = [
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoQueue',
  'FifoThroughputLimit',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
] as const;

/** SQS's default visibility timeout when the template sets none. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

const scalar = (value: Json): string => (typeof value === 'string' ? value : JSON.stringify(value));

export const deriveQueues = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
): LocalQueue[] =>
  resourcesOfType(stacks, 'AWS::SQS::Queue').map((ref) => {
    const properties = ref.resource.Properties ?? {};
    const attributes: Record<string, string> = {};
    for (const name of QUEUE_ATTRIBUTES) {
      const value = properties[name];
      if (value !== undefined) attributes[name] = scalar(resolver.resolve(value, ref.stack));
    }
    let redrive: RedrivePolicy | undefined;
    const policy =
      properties.RedrivePolicy === undefined
        ? undefined
        : resolver.resolve(properties.RedrivePolicy, ref.stack);
    if (isJsonMap(policy)) {
      redrive = {
        deadLetterTargetArn: resolver.resolveString(
          policy.deadLetterTargetArn,
          ref.stack,
          `${ref.logicalId} RedrivePolicy`,
        ),
        maxReceiveCount: numberOr(policy.maxReceiveCount, Number.NaN),
      };
      attributes.RedrivePolicy = JSON.stringify(redrive);
    }
    const allowPolicy = properties.RedriveAllowPolicy;
    if (allowPolicy !== undefined)
      attributes.RedriveAllowPolicy = scalar(resolver.resolve(allowPolicy, ref.stack));
    return {
      ...originOf(ref),
      name: resolver.physicalName(ref),
      url: resolver.ref(ref),
      arn: resolver.arn(ref),
      fifo: attributes.FifoQueue === 'true',
      visibilityTimeoutSeconds: numberOr(attributes.VisibilityTimeout, DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
      ...(redrive ? { redrive } : {}),
      attributes,
    };
  });

const indexes = (value: Json | undefined): SecondaryIndex[] =>
  Array.isArray(value)
    ? value.filter(isJsonMap).map((index) => ({
        IndexName: String(index.IndexName),
        KeySchema: index.KeySchema as unknown as KeyElement[],
        Projection: isJsonMap(index.Projection) ? index.Projection : { ProjectionType: 'ALL' },
      }))
    : [];

export const deriveTables = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
): LocalTable[] =>
  [
    ...resourcesOfType(stacks, 'AWS::DynamoDB::Table'),
    ...resourcesOfType(stacks, 'AWS::DynamoDB::GlobalTable'),
  ].map((ref) => {
    const properties = resolver.resolve(ref.resource.Properties ?? {}, ref.stack);
    const p = isJsonMap(properties) ? properties : {};
    const ttl = isJsonMap(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : undefined;
    return {
      ...originOf(ref),
      name: resolver.physicalName(ref),
      arn: resolver.arn(ref),
      // The template is CloudFormation-validated: these are DynamoDB's own shapes.
      keySchema: p.KeySchema as unknown as KeyElement[],
      attributeDefinitions: p.AttributeDefinitions as unknown as AttributeDefinition[],
      globalSecondaryIndexes: indexes(p.GlobalSecondaryIndexes),
      localSecondaryIndexes: indexes(p.LocalSecondaryIndexes),
      ...(ttl && ttl.Enabled === true && typeof ttl.AttributeName === 'string'
        ? { ttlAttribute: ttl.AttributeName }
        : {}),
    };
  });

export const deriveTopics = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
): LocalTopic[] =>
  resourcesOfType(stacks, 'AWS::SNS::Topic').map((ref) => {
    const properties = ref.resource.Properties ?? {};
    const fifo = properties.FifoTopic === true || properties.FifoTopic === 'true';
    const attributes: Record<string, string> = {};
    if (fifo) attributes.FifoTopic = 'true';
    const contentBased = properties.ContentBasedDeduplication;
    if (contentBased !== undefined) attributes.ContentBasedDeduplication = scalar(contentBased);
    const displayName = properties.DisplayName;
    if (typeof displayName === 'string') attributes.DisplayName = displayName;
    return { ...originOf(ref), name: resolver.physicalName(ref), arn: resolver.arn(ref), fifo, attributes };
  });
