import { decodeS3Key } from '../../../functions/ingest/object-ref';
import { coversEvent, formEncodeKey, objectCreatedRecord } from '../../../local/triggers/s3-event';

describe('S3 event notifications, as the local runtime builds them', () => {
  it.each([
    ['incoming/my orders.jsonl', 'incoming/my+orders.jsonl'],
    ['incoming/a+b.json', 'incoming/a%2Bb.json'],
    ['incoming/café (1).csv', 'incoming/caf%C3%A9+%281%29.csv'],
  ])('form-encodes %s as %s, which ingest decodes back', (key, encoded) => {
    expect(formEncodeKey(key)).toBe(encoded);
    expect(decodeS3Key(formEncodeKey(key))).toBe(key);
  });

  it("carries the object's size, ETag and sequencer, and no versionId when there is none", () => {
    // Act
    const record = objectCreatedRecord(
      { bucket: 'b', key: 'incoming/x y', size: 12, eTag: 'abc', sequencer: '0A1', how: 'Put' },
      'us-east-1',
      'cfg',
    );

    // Assert
    expect(record.eventName).toBe('ObjectCreated:Put');
    expect(record.s3.object).toEqual({ key: 'incoming/x+y', size: 12, eTag: 'abc', sequencer: '0A1' });
    expect(record.s3.bucket.arn).toBe('arn:aws:s3:::b');
  });

  it('matches ObjectCreated:* and the exact creation kind only', () => {
    expect(coversEvent(['s3:ObjectCreated:*'], 'Copy')).toBe(true);
    expect(coversEvent(['s3:ObjectCreated:Put'], 'Put')).toBe(true);
    expect(coversEvent(['s3:ObjectCreated:Put'], 'Copy')).toBe(false);
  });
});
