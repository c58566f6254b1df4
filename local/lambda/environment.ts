import type { LocalFunction } from '../derive/types';

/** What every local function's SDK clients need: the local endpoint, a region and dummy credentials. */
export interface LocalAwsEnvironment {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Services whose AWS_ENDPOINT_URL_<SERVICE> the runtime sets (all pointing at its gateway). */
export const LOCAL_SERVICES = ['S3', 'SQS', 'SNS', 'DYNAMODB', 'SFN'] as const;

/**
 * S3 checksums only where an operation requires them, set through the SDK's own variables (the AWS
 * CLI reads the same ones): with the SDK's default, WHEN_SUPPORTED, uploads of streamed bodies go
 * aws-chunked with trailing checksums, which S3 stand-ins may store as they are, and downloads are
 * checked against checksums a stand-in may not compute as S3 does. The functions' code keeps the
 * SDK's defaults, so deployed functions check everything; only local and test runs set these.
 */
export const STAND_IN_CHECKSUM_ENVIRONMENT = {
  AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
  AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
} as const;

/** The same, as S3Client options: for the clients the runtime and the CLI build to talk to the stand-in. */
export const STAND_IN_S3_CHECKSUMS = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

/** The standard variables that point the AWS SDK and CLI at the local runtime. */
export const awsEnvironment = (aws: LocalAwsEnvironment): Record<string, string> => ({
  ...Object.fromEntries(LOCAL_SERVICES.map((service) => [`AWS_ENDPOINT_URL_${service}`, aws.endpoint])),
  AWS_REGION: aws.region,
  AWS_DEFAULT_REGION: aws.region,
  AWS_ACCESS_KEY_ID: aws.accessKeyId,
  AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
  ...STAND_IN_CHECKSUM_ENVIRONMENT,
});

/**
 * A function's environment as Lambda would build it: the template's variables (already resolved to
 * local names), Lambda's reserved variables, and the local endpoint and credentials. No
 * AWS_EXECUTION_ENV: Powertools would then assume it runs in Lambda and try to reach X-Ray.
 */
export const functionEnvironment = (fn: LocalFunction, aws: LocalAwsEnvironment): Record<string, string> => ({
  ...fn.environment,
  ...awsEnvironment(aws),
  AWS_LAMBDA_FUNCTION_NAME: fn.name,
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
  _HANDLER: `index.${fn.handlerExport}`,
});

/**
 * A bundled function's whole process environment in its sandbox: its function environment, plus
 * what Lambda sets for the code's place and time (LAMBDA_TASK_ROOT, `TZ=:UTC`). Nothing of this
 * process's environment: no PATH, HOME or NODE_PATH (Lambda's NODE_PATH would offer its own AWS
 * SDK; a bundle must carry what it needs).
 */
export const sandboxEnvironment = (
  fn: LocalFunction,
  aws: LocalAwsEnvironment,
  taskRoot: string,
): Record<string, string> => ({
  ...functionEnvironment(fn, aws),
  LAMBDA_TASK_ROOT: taskRoot,
  TZ: ':UTC',
});

/** Host variables no function may inherit: AWS and Powertools settings, and every variable a function defines. */
export const hiddenHostVariables = (
  functions: readonly LocalFunction[],
  host: NodeJS.ProcessEnv,
): Set<string> =>
  new Set([
    ...Object.keys(host).filter((key) => /^(AWS_|POWERTOOLS_|_X_AMZN|_HANDLER$|LAMBDA_)/.test(key)),
    ...functions.flatMap((fn) => Object.keys(fn.environment)),
  ]);
