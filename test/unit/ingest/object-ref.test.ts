import {
  decodeS3Key,
  INCOMING_PREFIX,
  InvalidObjectKey,
  objectRefsFromEvent,
  skipReason,
} from '../../../functions/ingest/object-ref';
import { INGEST_PREFIXES } from '../../../lib/constructs/ingest-bucket';
import { encodeS3Key, s3Event } from '../../helpers/s3-event';

describe('decodeS3Key', () => {
  it.each([
    ['incoming/orders.jsonl', 'incoming/orders.jsonl'],
    ['incoming/my+orders.jsonl', 'incoming/my orders.jsonl'],
    ['incoming/a%2Bb.jsonl', 'incoming/a+b.jsonl'],
    ['incoming/100%25+done.csv', 'incoming/100% done.csv'],
    ['incoming/Bestellungen+M%C3%BCnchen+%E2%9C%93.json', 'incoming/Bestellungen München ✓.json'],
    ['incoming/%F0%9F%98%80.jsonl', 'incoming/😀.jsonl'],
    ['incoming/a%2Fb.jsonl', 'incoming/a/b.jsonl'],
  ])('decodes %s as %s', (raw, decoded) => {
    // Arrange / Act / Assert
    expect(decodeS3Key(raw)).toBe(decoded);
  });

  it('round-trips keys encoded the way S3 encodes them', () => {
    // Arrange
    const keys = ['incoming/a b+c%d.jsonl', 'incoming/ümlaut (1).csv.gz', "incoming/it's & more=ok?.json"];

    // Act
    const decoded = keys.map((key) => decodeS3Key(encodeS3Key(key)));

    // Assert
    expect(decoded).toEqual(keys);
  });

  it('rejects a malformed percent escape with InvalidObjectKey', () => {
    // Arrange / Act / Assert
    expect(() => decodeS3Key('incoming/100%.jsonl')).toThrow(InvalidObjectKey);
  });
});

describe('objectRefsFromEvent', () => {
  it('uses the versionId as the version when the bucket is versioned', () => {
    // Arrange
    const event = s3Event({
      bucket: 'b',
      key: 'incoming/a b.jsonl',
      versionId: 'v-1',
      sequencer: '0A',
      size: 12,
    });

    // Act
    const refs = objectRefsFromEvent(event);

    // Assert
    expect(refs).toEqual([
      { bucket: 'b', key: 'incoming/a b.jsonl', versionId: 'v-1', sequencer: '0A', version: 'v-1', size: 12 },
    ]);
  });

  it('falls back to the sequencer when the bucket is not versioned', () => {
    // Arrange
    const event = s3Event({ bucket: 'b', key: 'incoming/a.jsonl', sequencer: '0B' });

    // Act
    const [ref] = objectRefsFromEvent(event);

    // Assert
    expect(ref?.version).toBe('sequencer:0B');
    expect(ref).not.toHaveProperty('versionId');
  });

  it('yields nothing for the test event S3 sends when a notification is configured', () => {
    // Arrange
    const testEvent = { Service: 'Amazon S3', Event: 's3:TestEvent' } as unknown as Parameters<
      typeof objectRefsFromEvent
    >[0];

    // Act / Assert
    expect(objectRefsFromEvent(testEvent)).toEqual([]);
  });
});

describe('skipReason', () => {
  it.each([
    ['incoming/', 'folder marker'],
    ['rejected/incoming/a.jsonl.errors.jsonl', 'rejects report'],
    ['uploads/orders.jsonl', 'outside incoming/'],
    ['Incoming/orders.jsonl', 'outside incoming/'],
  ])('skips %s', (key, reason) => {
    // Arrange / Act / Assert
    expect(skipReason(key)).toContain(reason);
  });

  it('ingests a normal key', () => {
    // Arrange / Act / Assert
    expect(skipReason('incoming/orders.jsonl')).toBeUndefined();
  });
});

describe('INCOMING_PREFIX', () => {
  it('is the prefix the bucket construct filters notifications on', () => {
    // Arrange / Act / Assert
    expect(INCOMING_PREFIX).toBe(INGEST_PREFIXES.incoming);
  });
});
