import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  AssetHashType,
  DockerImage,
  type Duration,
  type ILocalBundling,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  Code,
  Function as LambdaFunction,
  type RecursiveLoop,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENTRY_METADATA_KEY } from '../contract';
import { LAMBDA_NODE_RUNTIME, NODE_MAJOR } from '../node-runtime';
import { PROJECT_ROOT } from '../project-root';

/** The CDK's runtime object for lib/node-runtime's major: one of the Node.js runtimes it knows. */
const lambdaRuntime = (): Runtime => {
  const runtime = [Runtime.NODEJS_22_X, Runtime.NODEJS_24_X].find((r) => r.name === LAMBDA_NODE_RUNTIME);
  if (runtime === undefined)
    throw new Error(`no Lambda runtime ${LAMBDA_NODE_RUNTIME} for Node.js ${NODE_MAJOR}`);
  return runtime;
};

export interface OrderflowFunctionProps {
  /** Handler module, relative to the repository root, e.g. `functions/ingest/handler.ts`. */
  readonly entry: string;
  /** POWERTOOLS_SERVICE_NAME: the service dimension of logs, metrics and traces. */
  readonly serviceName: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Merged over the shared POWERTOOLS_* and NODE_OPTIONS variables. @default {} */
  readonly environment?: Record<string, string>;
  /** @default no description */
  readonly description?: string;
  /**
   * Whether Lambda may let the function run in a loop through SQS, SNS or S3 beyond about 16 hops.
   * @default Lambda's default (Terminate)
   */
  readonly recursiveLoop?: RecursiveLoop;
  /**
   * Ship the source map in the zip and run with `--enable-source-maps`: readable stack traces for a
   * debugging stage, at the price of a zip four times the size and a slower cold start. @default false
   */
  readonly sourceMaps?: boolean;
  /**
   * Powertools' Tracer: an X-Ray subsegment per AWS call (POWERTOOLS_TRACE_ENABLED=true). Off, it is not
   * in the bundle and the functions never load the X-Ray SDK, whose async hook slows every promise and
   * whose load lengthens every cold start; the function's own active tracing is on either way.
   * @default false
   */
  readonly traceSdkCalls?: boolean;
}

/**
 * The one way orderflow builds a Lambda function: Node.js 22 pinned, arm64, an esbuild bundle that
 * carries the AWS SDK (one tested SDK version instead of whatever the runtime ships), keepNames so
 * the error names the saga matches survive minification, an explicit log group with retention,
 * active tracing, and a role that may write only to that log group (no AWSLambdaBasicExecutionRole,
 * whose logs:* on every group nag rightly flags).
 *
 * The source entry is recorded as construct metadata and as template metadata under
 * `orderflow:entry`: the local runtime reads it from the synthesized assembly when bundling is skipped.
 */
export class OrderflowFunction extends Construct implements IGrantable {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: OrderflowFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(PROJECT_ROOT, {
        // As the CDK's NodejsFunction: the asset is the bundle, so its hash is the bundle's.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: bundling is local (esbuild is a dependency), and fails rather than fall back.
          image: DockerImage.fromRegistry('orderflow-bundles-locally'),
          local: new LocalBundling(props.entry, props.sourceMaps ?? false, props.traceSdkCalls ?? false),
        },
      }),
      handler: 'index.handler',
      runtime: lambdaRuntime(),
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      description: props.description,
      ...(props.recursiveLoop === undefined ? {} : { recursiveLoop: props.recursiveLoop }),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'orderflow',
        POWERTOOLS_TRACE_ENABLED: String(props.traceSdkCalls ?? false),
        ...(props.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    const cfnFunction = this.function.node.defaultChild as CfnFunction;
    cfnFunction.node.addMetadata(ENTRY_METADATA_KEY, props.entry);
    cfnFunction.addMetadata(ENTRY_METADATA_KEY, props.entry);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose (esbuild target node22, one runtime across functions, supported ' +
        'until 2027-04); moving to a newer runtime is a tested change, not something a deploy should do by itself.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource "*": ' +
        'X-Ray has no resource-level permissions. Every other statement names its resource; a test asserts this.',
    });
  }
}

/**
 * Bundles one function with lib/bundling/bundle (esbuild with ORDERFLOW_BUNDLING) in a child process:
 * the CDK wants the bundle synchronously, and esbuild runs plugins only asynchronously.
 */
class LocalBundling implements ILocalBundling {
  constructor(
    private readonly entry: string,
    private readonly sourceMap: boolean,
    private readonly traceSdkCalls: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    const cli = path.join(PROJECT_ROOT, 'lib', 'bundling', 'bundle-cli.ts');
    const args = [
      ...['--import', 'tsx', cli, this.entry, outputDir],
      ...(this.sourceMap ? ['--source-map'] : []),
      ...(this.traceSdkCalls ? ['--trace-sdk-calls'] : []),
    ];
    const result = spawnSync(process.execPath, args, {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) {
      throw new Error(
        `bundling ${this.entry} failed (exit ${String(result.status ?? result.signal)}): see the esbuild output above`,
      );
    }
    return true;
  }
}
