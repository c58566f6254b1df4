import type { JsonMap } from '../cfn/template';

/**
 * The deployed topology as the local runtime runs it, derived from the synthesized CDK app.
 * Names, ARNs and URLs are the local ones; every other value is the template's.
 */
export interface LocalTopology {
  readonly region: string;
  readonly accountId: string;
  readonly buckets: readonly LocalBucket[];
  readonly queues: readonly LocalQueue[];
  readonly tables: readonly LocalTable[];
  readonly topics: readonly LocalTopic[];
  readonly functions: readonly LocalFunction[];
  readonly eventSourceMappings: readonly LocalEventSourceMapping[];
  readonly stateMachines: readonly LocalStateMachine[];
  readonly eventRules: readonly LocalEventRule[];
  /** CfnOutputs per stack, resolved to local values (those that have one). */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** What the template holds that the local runtime does not emulate, one line per kind. */
  readonly notEmulated: readonly string[];
}

/** Where a resource comes from, for messages and listings. */
export interface Origin {
  readonly stackName: string;
  readonly logicalId: string;
  /** Construct path, when the assembly records it. */
  readonly path?: string;
}

export interface LocalBucket extends Origin {
  readonly name: string;
  readonly versioned: boolean;
  readonly notifications: readonly BucketNotification[];
  /** The bucket sends its events to EventBridge (not emulated locally). */
  readonly eventBridge: boolean;
}

export type NotificationTarget =
  | { readonly kind: 'function'; readonly arn: string }
  | { readonly kind: 'queue'; readonly arn: string }
  | { readonly kind: 'topic'; readonly arn: string };

export interface BucketNotification {
  /** e.g. `s3:ObjectCreated:*`. */
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
  readonly target: NotificationTarget;
  /** The resource that configures it: the bucket itself or a Custom::S3BucketNotifications. */
  readonly configuredBy: string;
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export interface LocalQueue extends Origin {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly redrive?: RedrivePolicy;
  /** CreateQueue attributes (RedrivePolicy as the JSON SQS takes). */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: 'S' | 'N' | 'B';
}

export interface SecondaryIndex {
  readonly IndexName: string;
  readonly KeySchema: readonly KeyElement[];
  readonly Projection: JsonMap;
}

export interface LocalTable extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly keySchema: readonly KeyElement[];
  readonly attributeDefinitions: readonly AttributeDefinition[];
  readonly globalSecondaryIndexes: readonly SecondaryIndex[];
  readonly localSecondaryIndexes: readonly SecondaryIndex[];
  readonly ttlAttribute?: string;
}

export interface LocalTopic extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Where a failed asynchronous invocation goes (Lambda's on-failure destination). */
export interface AsyncInvokeConfig {
  /** Retries after the first attempt. @default 2 (Lambda's) */
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly onFailureArn?: string;
  readonly onSuccessArn?: string;
}

export interface LocalFunction extends Origin {
  readonly name: string;
  readonly arn: string;
  /** Source module, repository-relative (the `orderflow:entry` metadata). */
  readonly entry: string;
  /** The exported name, from the `Handler` property (`index.handler` → `handler`). */
  readonly handlerExport: string;
  /**
   * Absolute path of the function's bundle (the asset directory holding its `index.js`), when the
   * app was synthesized with bundles (SynthOptions.bundleInto).
   */
  readonly bundle?: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The template's variables with references resolved to local names and URLs. */
  readonly environment: Readonly<Record<string, string>>;
  readonly asyncInvoke: AsyncInvokeConfig;
}

export interface LocalEventSourceMapping extends Origin {
  readonly functionArn: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency; Lambda scales pollers up to 1,000 without it. */
  readonly maximumConcurrency?: number;
  readonly enabled: boolean;
}

export interface LocalStateMachine extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** The ASL text with its `${Key}` placeholders, as the template carries it. */
  readonly definition: string;
  /** DefinitionSubstitutions resolved to local ARNs. */
  readonly substitutions: Readonly<Record<string, string>>;
  /** Where the definition came from: `DefinitionString`, `Definition` or the asset file. */
  readonly definitionSource: string;
}

export interface RuleTarget {
  readonly id: string;
  readonly arn: string;
  readonly kind: 'function' | 'other';
  readonly deadLetterArn?: string;
}

export interface LocalEventRule extends Origin {
  readonly name: string;
  readonly enabled: boolean;
  readonly pattern: JsonMap;
  readonly targets: readonly RuleTarget[];
}
