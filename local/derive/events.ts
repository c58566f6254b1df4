import { type IntrinsicResolver, TopologyError } from '../cfn/intrinsics';
import { isJsonMap, type Json, type JsonMap, resourcesOfType, type SynthesizedStack } from '../cfn/template';
import { originOf } from './origin';
import type {
  BucketNotification,
  LocalBucket,
  LocalEventRule,
  NotificationTarget,
  RuleTarget,
} from './types';

const filterValue = (rules: Json | undefined, name: 'prefix' | 'suffix'): string | undefined => {
  if (!Array.isArray(rules)) return undefined;
  const rule = rules.filter(isJsonMap).find((candidate) => String(candidate.Name).toLowerCase() === name);
  return typeof rule?.Value === 'string' ? rule.Value : undefined;
};

const filterOf = (rules: Json | undefined): { prefix?: string; suffix?: string } => {
  const prefix = filterValue(rules, 'prefix');
  const suffix = filterValue(rules, 'suffix');
  return { ...(prefix === undefined ? {} : { prefix }), ...(suffix === undefined ? {} : { suffix }) };
};

type Kind = NotificationTarget['kind'];

/** Custom::S3BucketNotifications (what CDK writes for a bucket of another stack or an imported one). */
const fromCustomResource = (configuration: JsonMap, configuredBy: string): BucketNotification[] => {
  const groups: [string, Kind, string][] = [
    ['LambdaFunctionConfigurations', 'function', 'LambdaFunctionArn'],
    ['QueueConfigurations', 'queue', 'QueueArn'],
    ['TopicConfigurations', 'topic', 'TopicArn'],
  ];
  return groups.flatMap(([group, kind, arnKey]) => {
    const entries = configuration[group];
    return (Array.isArray(entries) ? entries.filter(isJsonMap) : []).map((entry) => {
      const key =
        isJsonMap(entry.Filter) && isJsonMap(entry.Filter.Key) ? entry.Filter.Key.FilterRules : undefined;
      return {
        events: Array.isArray(entry.Events) ? entry.Events.map(String) : [],
        ...filterOf(key),
        target: { kind, arn: String(entry[arnKey]) },
        configuredBy,
      };
    });
  });
};

/** AWS::S3::Bucket NotificationConfiguration (a bucket's own notifications, same stack). */
const fromBucketProperty = (configuration: JsonMap, configuredBy: string): BucketNotification[] => {
  const groups: [string, Kind, string][] = [
    ['LambdaConfigurations', 'function', 'Function'],
    ['QueueConfigurations', 'queue', 'Queue'],
    ['TopicConfigurations', 'topic', 'Topic'],
  ];
  return groups.flatMap(([group, kind, arnKey]) => {
    const entries = configuration[group];
    return (Array.isArray(entries) ? entries.filter(isJsonMap) : []).map((entry) => {
      const key =
        isJsonMap(entry.Filter) && isJsonMap(entry.Filter.S3Key) ? entry.Filter.S3Key.Rules : undefined;
      return {
        events: [String(entry.Event)],
        ...filterOf(key),
        target: { kind, arn: String(entry[arnKey]) },
        configuredBy,
      };
    });
  });
};

/** Buckets with every notification configured on them, wherever in the app it is configured. */
export const deriveBuckets = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
): LocalBucket[] => {
  const buckets = resourcesOfType(stacks, 'AWS::S3::Bucket').map((ref) => {
    const p = resolver.resolve(ref.resource.Properties ?? {}, ref.stack);
    const properties = isJsonMap(p) ? p : {};
    const configuration = isJsonMap(properties.NotificationConfiguration)
      ? properties.NotificationConfiguration
      : {};
    const versioning = isJsonMap(properties.VersioningConfiguration)
      ? properties.VersioningConfiguration
      : {};
    return {
      ...originOf(ref),
      name: resolver.physicalName(ref),
      versioned: versioning.Status === 'Enabled',
      notifications: fromBucketProperty(configuration, `${ref.stack.stackName}/${ref.logicalId}`),
      eventBridge: isJsonMap(configuration.EventBridgeConfiguration),
    };
  });
  for (const ref of resourcesOfType(stacks, 'Custom::S3BucketNotifications')) {
    const p = resolver.resolve(ref.resource.Properties ?? {}, ref.stack);
    const properties = isJsonMap(p) ? p : {};
    const bucketName = String(properties.BucketName);
    const index = buckets.findIndex((bucket) => bucket.name === bucketName);
    const bucket = buckets[index];
    if (!bucket) {
      throw new TopologyError(
        `${ref.stack.stackName}/${ref.logicalId}: notifications for bucket ${bucketName}, which no stack of the app creates`,
      );
    }
    const configuration = isJsonMap(properties.NotificationConfiguration)
      ? properties.NotificationConfiguration
      : {};
    buckets[index] = {
      ...bucket,
      notifications: [
        ...bucket.notifications,
        ...fromCustomResource(configuration, `${ref.stack.stackName}/${ref.logicalId}`),
      ],
      eventBridge: bucket.eventBridge || isJsonMap(configuration.EventBridgeConfiguration),
    };
  }
  return buckets;
};

export const deriveEventRules = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
): LocalEventRule[] =>
  resourcesOfType(stacks, 'AWS::Events::Rule').flatMap((ref) => {
    const p = ref.resource.Properties ?? {};
    // Scheduled rules have no pattern; they are not emulated.
    if (p.EventPattern === undefined) return [];
    const pattern = resolver.resolve(p.EventPattern, ref.stack);
    if (!isJsonMap(pattern))
      throw new TopologyError(`${ref.stack.stackName}/${ref.logicalId}: bad EventPattern`);
    const targets = (Array.isArray(p.Targets) ? p.Targets.filter(isJsonMap) : []).map(
      (target): RuleTarget => {
        const arn = resolver.resolveString(target.Arn, ref.stack, `${ref.logicalId} target`);
        const dlq = isJsonMap(target.DeadLetterConfig) ? target.DeadLetterConfig.Arn : undefined;
        return {
          id: String(target.Id),
          arn,
          kind: arn.startsWith('arn:aws:lambda:') ? 'function' : 'other',
          ...(dlq === undefined
            ? {}
            : { deadLetterArn: resolver.resolveString(dlq, ref.stack, 'DeadLetterConfig') }),
        };
      },
    );
    return [
      {
        ...originOf(ref),
        name: resolver.physicalName(ref),
        enabled: p.State !== 'DISABLED',
        pattern,
        targets,
      },
    ];
  });
