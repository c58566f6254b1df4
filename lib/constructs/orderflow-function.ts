import * as path from 'node:path';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, type RecursiveLoop, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENTRY_METADATA_KEY } from '../contract';
import { ESBUILD_NODE_TARGET, LAMBDA_NODE_RUNTIME, NODE_MAJOR } from '../node-runtime';

/** Repository root: entries, the lockfile and tsconfig are resolved from here, never from the cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The CDK's runtime object for lib/node-runtime's major: one of the Node.js runtimes it knows. */
const lambdaRuntime = (): Runtime => {
  const runtime = [Runtime.NODEJS_22_X, Runtime.NODEJS_24_X].find((r) => r.name === LAMBDA_NODE_RUNTIME);
  if (runtime === undefined)
    throw new Error(`no Lambda runtime ${LAMBDA_NODE_RUNTIME} for Node.js ${NODE_MAJOR}`);
  return runtime;
};

/**
 * Credential providers the SDK's default chain loads, with `import()`, only after the environment
 * variables gave no credentials. Lambda always sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN (the local runtime too), so these never load; bundled they were about 30 KB of
 * every zip (SSO, STS and the INI, process, token-file, container and IMDS providers). Left out of the
 * bundle they stay lazy requires that Lambda's runtime could still resolve from its own SDK copy.
 */
export const LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/nested-clients',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
] as const;

/**
 * How every function is bundled: the one options object the construct passes to esbuild, exported so
 * the drift test reads the same values, never a copy. The shipped bundles themselves are run by
 * `orderflow local up --bundled` and test/integration/local-runtime-bundled.test.ts.
 */
export const ORDERFLOW_BUNDLING = {
  format: OutputFormat.CJS,
  target: ESBUILD_NODE_TARGET,
  minify: true,
  // Off by default: the map is three quarters of a zip and --enable-source-maps slows every cold start.
  // OrderflowFunctionProps.sourceMaps (stage context `sourceMaps=true`) turns both on for debugging.
  sourceMap: false,
  keepNames: true,
  bundleAwsSDK: true,
  externalModules: [...LAMBDA_UNREACHED_CREDENTIAL_PROVIDERS],
  esbuildArgs: {
    '--alias:semver': path.join(PROJECT_ROOT, 'lib', 'bundling', 'semver-unused.cjs'),
    // Field selections only: the idempotency keys' expressions (lib/bundling/jmespath-fields).
    '--alias:@aws-lambda-powertools/jmespath': path.join(PROJECT_ROOT, 'lib', 'bundling', 'jmespath-fields'),
    // No event streams: every client's protocol imports them dynamically, no orderflow call uses one.
    '--alias:@smithy/core/event-streams': path.join(
      PROJECT_ROOT,
      'lib',
      'bundling',
      'event-streams-unused.ts',
    ),
  },
  // ESM entry points of the SDK and Powertools tree-shake far better than their CJS builds.
  mainFields: ['module', 'main'],
  tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
} as const satisfies BundlingOptions;

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
  readonly function: NodejsFunction;
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

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
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
        ...(props.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
      bundling: {
        ...ORDERFLOW_BUNDLING,
        sourceMap: props.sourceMaps ?? ORDERFLOW_BUNDLING.sourceMap,
        externalModules: [...ORDERFLOW_BUNDLING.externalModules],
        esbuildArgs: { ...ORDERFLOW_BUNDLING.esbuildArgs },
        mainFields: [...ORDERFLOW_BUNDLING.mainFields],
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
