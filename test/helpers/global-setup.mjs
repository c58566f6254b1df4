// Starts the stand-ins once for the integration project. It is an .mjs file because
// fauxqs is ESM-only; tsx's loader lets it reuse the local runtime's TypeScript starter.
import { startFauxqs } from 'fauxqs';
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startStandIns } = await tsImport('../../local/stand-ins.ts', import.meta.url);
  const { STAND_IN_CHECKSUM_ENVIRONMENT } = await tsImport(
    '../../local/lambda/environment.ts',
    import.meta.url,
  );
  const standIns = await startStandIns({ startFauxqs });
  globalThis.__ORDERFLOW_STAND_INS__ = standIns;
  // Workers inherit the environment: the SDK clients in tests and handlers read these.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: standIns.fauxqsEndpoint,
    AWS_ENDPOINT_URL_SQS: standIns.fauxqsEndpoint,
    AWS_ENDPOINT_URL_SNS: standIns.fauxqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: standIns.dynamoDbEndpoint,
    // The stand-in's S3: checksums only where required, as the local runtime sets them (production keeps the SDK's defaults).
    ...STAND_IN_CHECKSUM_ENVIRONMENT,
    AWS_LAMBDA_FUNCTION_NAME: 'orderflow-test',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_NAMESPACE: 'orderflow-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
}
