import type { SQSRecord } from 'aws-lambda';
import { recordsToDelete, sqsRecord } from '../../../local/triggers/sqs-records';

const records = ['m1', 'm2', 'm3'].map((id) =>
  sqsRecord({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: '{}' }, 'arn:q', 'us-east-1'),
);
const ids = (list: readonly SQSRecord[]) => list.map((record) => record.messageId);

describe('recordsToDelete (Lambda SQS event source rules)', () => {
  it('deletes the whole batch when the function returns no partial batch response', () => {
    expect(ids(recordsToDelete(records, undefined, true).delete)).toEqual(['m1', 'm2', 'm3']);
    expect(ids(recordsToDelete(records, { batchItemFailures: [] }, true).delete)).toEqual(['m1', 'm2', 'm3']);
  });

  it('keeps the reported failures and deletes the rest', () => {
    // Act
    const outcome = recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'm2' }] }, true);

    // Assert
    expect(ids(outcome.delete)).toEqual(['m1', 'm3']);
    expect(outcome.failed).toBe(1);
  });

  it('treats a response naming an unknown or empty id as a failure of the whole batch', () => {
    expect(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'nope' }] }, true)).toMatchObject(
      {
        delete: [],
        failed: 3,
      },
    );
    expect(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: '' }] }, true).delete).toEqual(
      [],
    );
  });

  it('ignores batchItemFailures when the mapping does not report batch item failures', () => {
    expect(
      ids(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'm2' }] }, false).delete),
    ).toEqual(['m1', 'm2', 'm3']);
  });

  it("builds Lambda's record shape with base64 binary attributes", () => {
    // Act
    const record = sqsRecord(
      {
        MessageId: 'm',
        Body: 'b',
        Attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '2' },
        MessageAttributes: {
          a: { DataType: 'String', StringValue: 'x' },
          b: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      },
      'arn:q',
      'eu-west-1',
    );

    // Assert
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:q',
      awsRegion: 'eu-west-1',
      attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '2' },
      messageAttributes: {
        a: { dataType: 'String', stringValue: 'x', stringListValues: [], binaryListValues: [] },
        b: { dataType: 'Binary', binaryValue: 'aGk=' },
      },
    });
  });
});
