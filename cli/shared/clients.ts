import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STAND_IN_S3_CHECKSUMS } from '../../local/lambda/environment';

export interface CliClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBDocumentClient;
  readonly sfn: SFNClient;
  /** Region, profile and credentials, to make another client (CloudFormation) the same way. */
  readonly config: {
    readonly region?: string;
    readonly profile?: string;
    readonly credentials?: ClientBase['credentials'];
  };
  destroy(): void;
}

export interface Endpoints {
  readonly s3?: string;
  readonly sqs?: string;
  readonly dynamodb?: string;
  readonly sfn?: string;
}

/** The endpoints in the standard AWS_ENDPOINT_URL_<SERVICE> variables (what `local up` prints). */
export const endpointsFromEnv = (env: NodeJS.ProcessEnv = process.env): Endpoints => {
  const pick = (service: string) => env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
  const endpoints = { s3: pick('S3'), sqs: pick('SQS'), dynamodb: pick('DYNAMODB'), sfn: pick('SFN') };
  return Object.fromEntries(Object.entries(endpoints).filter(([, value]) => value !== undefined));
};

/**
 * SDK clients as a user's program would make them. Against a local endpoint S3 needs path-style
 * URLs and checksums only where required (see local/lambda/environment.ts); without one the SDK's
 * defaults (real AWS) apply.
 */
export interface ClientBase {
  readonly region?: string;
  /** A named profile of ~/.aws/config and ~/.aws/credentials (`--profile`). @default AWS_PROFILE or default */
  readonly profile?: string;
  /** @default the SDK's credential chain */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export const makeCliClients = (endpoints: Endpoints, base: ClientBase = {}): CliClients => {
  // With --profile and no --region, the SDK reads the profile's region itself.
  const region =
    base.region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    (base.profile ? undefined : 'us-east-1');
  const common = {
    ...(region ? { region } : {}),
    ...(base.profile ? { profile: base.profile } : {}),
    ...(base.credentials ? { credentials: base.credentials } : {}),
  };
  const s3 = new S3Client({
    ...common,
    ...(endpoints.s3 ? { endpoint: endpoints.s3, forcePathStyle: true, ...STAND_IN_S3_CHECKSUMS } : {}),
  });
  const sqs = new SQSClient({ ...common, ...(endpoints.sqs ? { endpoint: endpoints.sqs } : {}) });
  const raw = new DynamoDBClient({
    ...common,
    ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb } : {}),
  });
  const dynamodb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const sfn = new SFNClient({ ...common, ...(endpoints.sfn ? { endpoint: endpoints.sfn } : {}) });
  return {
    s3,
    sqs,
    dynamodb,
    sfn,
    config: common,
    destroy: () => {
      s3.destroy();
      sqs.destroy();
      raw.destroy();
      sfn.destroy();
    },
  };
};
