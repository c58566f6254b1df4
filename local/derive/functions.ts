import * as path from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ENTRY_METADATA_KEY } from '../../lib/contract';
import { type IntrinsicResolver, TopologyError } from '../cfn/intrinsics';
import { isJsonMap, resourcesOfType, type SynthesizedStack } from '../cfn/template';
import { numberOr, originOf } from './origin';
import type { AsyncInvokeConfig, LocalEventSourceMapping, LocalFunction } from './types';

/** Lambda's defaults for asynchronous invocation when no EventInvokeConfig says otherwise. */
const LAMBDA_ASYNC_DEFAULTS: AsyncInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

const asyncConfigs = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
): Map<string, AsyncInvokeConfig> => {
  const configs = new Map<string, AsyncInvokeConfig>();
  for (const ref of resourcesOfType(stacks, 'AWS::Lambda::EventInvokeConfig')) {
    const p = ref.resource.Properties ?? {};
    const functionName = resolver.resolveString(p.FunctionName, ref.stack, `${ref.logicalId}.FunctionName`);
    const destinations = isJsonMap(p.DestinationConfig) ? p.DestinationConfig : {};
    const destination = (key: 'OnFailure' | 'OnSuccess') => {
      const target = destinations[key];
      return isJsonMap(target) && target.Destination !== undefined
        ? resolver.resolveString(target.Destination, ref.stack, `${ref.logicalId}.${key}`)
        : undefined;
    };
    const onFailureArn = destination('OnFailure');
    const onSuccessArn = destination('OnSuccess');
    configs.set(functionName, {
      maximumRetryAttempts: numberOr(p.MaximumRetryAttempts, LAMBDA_ASYNC_DEFAULTS.maximumRetryAttempts),
      maximumEventAgeSeconds: numberOr(
        p.MaximumEventAgeInSeconds,
        LAMBDA_ASYNC_DEFAULTS.maximumEventAgeSeconds,
      ),
      ...(onFailureArn ? { onFailureArn } : {}),
      ...(onSuccessArn ? { onSuccessArn } : {}),
    });
  }
  return configs;
};

export interface DerivedFunctions {
  readonly functions: LocalFunction[];
  /** Functions with no source entry (CDK's own deploy-time handlers): nothing locally invokes them. */
  readonly withoutEntry: string[];
}

/**
 * Functions whose source entry the CDK recorded under `orderflow:entry`; those are the ones that
 * run locally. With the directory of an assembly synthesized with bundles, each also gets its
 * bundle: the asset directory its template resource names under `aws:asset:path`.
 */
export const deriveFunctions = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
  assemblyDirectory?: string,
): DerivedFunctions => {
  const configs = asyncConfigs(stacks, resolver);
  const functions: LocalFunction[] = [];
  const withoutEntry: string[] = [];
  for (const ref of resourcesOfType(stacks, 'AWS::Lambda::Function')) {
    const entry = ref.resource.Metadata?.[ENTRY_METADATA_KEY];
    const name = resolver.physicalName(ref);
    if (typeof entry !== 'string') {
      withoutEntry.push(`${ref.stack.stackName}/${ref.logicalId}`);
      continue;
    }
    const p = ref.resource.Properties ?? {};
    const variables = isJsonMap(p.Environment)
      ? resolver.resolve(p.Environment.Variables ?? {}, ref.stack)
      : {};
    const environment = Object.fromEntries(
      Object.entries(isJsonMap(variables) ? variables : {}).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    );
    const handler = typeof p.Handler === 'string' ? p.Handler : 'index.handler';
    const assetPath = ref.resource.Metadata?.[cxapi.ASSET_RESOURCE_METADATA_PATH_KEY];
    functions.push({
      ...originOf(ref),
      name,
      arn: resolver.arn(ref),
      entry,
      handlerExport: handler.slice(handler.lastIndexOf('.') + 1),
      ...(assemblyDirectory !== undefined && typeof assetPath === 'string'
        ? { bundle: path.resolve(assemblyDirectory, assetPath) }
        : {}),
      // Lambda's own defaults when the template leaves them out.
      timeoutSeconds: numberOr(p.Timeout, 3),
      memoryMb: numberOr(p.MemorySize, 128),
      environment,
      asyncInvoke: configs.get(name) ?? LAMBDA_ASYNC_DEFAULTS,
    });
  }
  return { functions, withoutEntry };
};

export interface DerivedMappings {
  readonly mappings: LocalEventSourceMapping[];
  /** Sources other than SQS (streams, Kafka): not emulated. */
  readonly unsupported: string[];
}

export const deriveEventSourceMappings = (
  stacks: readonly SynthesizedStack[],
  resolver: IntrinsicResolver,
  functions: readonly LocalFunction[],
): DerivedMappings => {
  const mappings: LocalEventSourceMapping[] = [];
  const unsupported: string[] = [];
  for (const ref of resourcesOfType(stacks, 'AWS::Lambda::EventSourceMapping')) {
    const p = ref.resource.Properties ?? {};
    const sourceArn = resolver.resolveString(p.EventSourceArn, ref.stack, `${ref.logicalId}.EventSourceArn`);
    if (!sourceArn.startsWith('arn:aws:sqs:')) {
      unsupported.push(`${ref.stack.stackName}/${ref.logicalId} (${sourceArn})`);
      continue;
    }
    const target = resolver.resolveString(p.FunctionName, ref.stack, `${ref.logicalId}.FunctionName`);
    const fn = functions.find((candidate) => candidate.name === target || candidate.arn === target);
    if (!fn) {
      throw new TopologyError(
        `${ref.stack.stackName}/${ref.logicalId}: event source mapping targets ${target}, which has no source entry`,
      );
    }
    const responseTypes = Array.isArray(p.FunctionResponseTypes) ? p.FunctionResponseTypes : [];
    const scaling = isJsonMap(p.ScalingConfig) ? p.ScalingConfig : {};
    const maximumConcurrency = numberOr(scaling.MaximumConcurrency, Number.NaN);
    mappings.push({
      ...originOf(ref),
      functionArn: fn.arn,
      queueArn: sourceArn,
      batchSize: numberOr(p.BatchSize, 10),
      maximumBatchingWindowSeconds: numberOr(p.MaximumBatchingWindowInSeconds, 0),
      reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
      ...(Number.isNaN(maximumConcurrency) ? {} : { maximumConcurrency }),
      enabled: p.Enabled !== false,
    });
  }
  return { mappings, unsupported };
};
