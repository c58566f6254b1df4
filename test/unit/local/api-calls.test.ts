import { ApiCallCounter, operationOf, serviceOf } from '../../../local/api-calls';

const signed = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=local/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`,
});

describe('counting AWS API calls at the local endpoint', () => {
  it('names the service from the SigV4 credential scope', () => {
    expect(serviceOf(signed('dynamodb'), '/')).toBe('dynamodb');
    expect(serviceOf(signed('states'), '/')).toBe('states');
    expect(serviceOf({}, '/bucket/key')).toBe('s3');
  });

  it('names the operation from the JSON target, the query Action or the S3 request', () => {
    expect(
      operationOf('sqs', 'POST', '/', { 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, Buffer.from('{}')),
    ).toBe('ReceiveMessage');
    expect(operationOf('sns', 'POST', '/', {}, Buffer.from('Action=Publish&TopicArn=x'))).toBe('Publish');
    expect(operationOf('s3', 'PUT', '/b/incoming/x.jsonl', {}, undefined)).toBe('PutObject');
    expect(operationOf('s3', 'PUT', '/b/k?partNumber=2&uploadId=u', {}, undefined)).toBe('UploadPart');
    expect(operationOf('s3', 'GET', '/b?list-type=2', {}, undefined)).toBe('ListObjects');
  });

  it('totals calls per service, busiest operation first', () => {
    // Arrange
    const counter = new ApiCallCounter();

    // Act
    for (const op of ['GetItem', 'PutItem', 'PutItem']) counter.add('dynamodb', op);

    // Assert
    expect(counter.snapshot()).toEqual({ dynamodb: { total: 3, operations: { PutItem: 2, GetItem: 1 } } });
  });
});
