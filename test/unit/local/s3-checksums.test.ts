import type { S3Client } from '@aws-sdk/client-s3';
import { makeS3Client } from '#shared/aws/clients';
import { makeCliClients } from '../../../cli/shared/clients';
import { awsEnvironment, STAND_IN_CHECKSUM_ENVIRONMENT } from '../../../local/lambda/environment';

const CHECKSUM_VARIABLES = Object.keys(STAND_IN_CHECKSUM_ENVIRONMENT);

const checksumsOf = async (client: S3Client) => ({
  request: await client.config.requestChecksumCalculation(),
  response: await client.config.responseChecksumValidation(),
});

/** Runs `body` with exactly these checksum variables set (none when empty), restoring the rest after. */
const withChecksumVariables = async <T>(
  values: Record<string, string>,
  body: () => Promise<T>,
): Promise<T> => {
  const saved = Object.fromEntries(CHECKSUM_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of CHECKSUM_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
};

describe('S3 checksums', () => {
  it("keeps the SDK's defaults in the functions' S3 client when no variable relaxes them, as deployed", async () => {
    // Act
    const checksums = await withChecksumVariables({}, () => checksumsOf(makeS3Client()));

    // Assert
    expect(checksums).toEqual({ request: 'WHEN_SUPPORTED', response: 'WHEN_SUPPORTED' });
  });

  it("relaxes the same client through the SDK's own variables, as the local runtime and the tests set them", async () => {
    // Act
    const checksums = await withChecksumVariables({ ...STAND_IN_CHECKSUM_ENVIRONMENT }, () =>
      checksumsOf(makeS3Client()),
    );

    // Assert
    expect(checksums).toEqual({ request: 'WHEN_REQUIRED', response: 'WHEN_REQUIRED' });
  });

  it('gives every local function, and the variables local up prints, the relaxing variables', () => {
    // Act
    const environment = awsEnvironment({
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });

    // Assert
    expect(environment).toMatchObject({
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    });
  });

  it("relaxes the CLI's S3 client against a local endpoint only", async () => {
    // Arrange
    const local = makeCliClients({ s3: 'http://127.0.0.1:4566' }, { region: 'us-east-1' });
    const aws = makeCliClients({}, { region: 'us-east-1' });

    try {
      // Act
      const [localChecksums, awsChecksums] = await withChecksumVariables({}, () =>
        Promise.all([checksumsOf(local.s3), checksumsOf(aws.s3)]),
      );

      // Assert
      expect(localChecksums).toEqual({ request: 'WHEN_REQUIRED', response: 'WHEN_REQUIRED' });
      expect(awsChecksums).toEqual({ request: 'WHEN_SUPPORTED', response: 'WHEN_SUPPORTED' });
    } finally {
      local.destroy();
      aws.destroy();
    }
  });
});
