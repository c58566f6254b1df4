import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { makeDynamoDbClient, makeS3Client } from '#shared/aws/clients';

describe('stand-ins', () => {
  it('serves S3 through the real SDK client with path-style URLs', async () => {
    // Arrange
    const s3 = makeS3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'stand-ins-check' }));

    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'stand-ins-check', Key: 'a b+c.txt', Body: 'hello' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'stand-ins-check', Key: 'a b+c.txt' }));

    // Assert
    expect(await object.Body?.transformToString()).toBe('hello');
  });

  it('serves DynamoDB Local with TTL-capable tables', async () => {
    // Arrange
    const dynamodb = makeDynamoDbClient();

    // Act
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'stand-ins-check',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: 'stand-ins-check' }));

    // Assert
    expect(table.Table?.TableStatus).toBe('ACTIVE');
  });
});
