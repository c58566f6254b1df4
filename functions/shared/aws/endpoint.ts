/**
 * The endpoint of a service's SDK client. In AWS no endpoint variable is set and the SDK's defaults
 * apply. Locally the runtime sets the standard `AWS_ENDPOINT_URL_<SERVICE>` variables.
 */
export const endpointFor = (service: 'S3' | 'SQS' | 'DYNAMODB' | 'SFN' | 'SNS'): string | undefined =>
  process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;
