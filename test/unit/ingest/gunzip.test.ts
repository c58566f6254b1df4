import { gzipSync } from 'node:zlib';
import { decodeUtf8 } from '../../../functions/ingest/decode';
import { gunzip } from '../../../functions/ingest/gunzip';
import { UnreadableInput } from '../../../functions/ingest/parsers/types';
import { chunked, collect } from '../../helpers/streams';

const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');

describe('gunzip', () => {
  it('inflates a gzip stream read in small chunks', async () => {
    // Arrange
    const original = '{"a":1}\n'.repeat(1000);

    // Act
    const out = await collect(gunzip(chunked(gzipSync(original), 13)));

    // Assert
    expect(text(out)).toBe(original);
  });

  it('inflates concatenated gzip members as one stream', async () => {
    // Arrange
    const joined = Buffer.concat([gzipSync('first\n'), gzipSync('second\n')]);

    // Act
    const out = await collect(gunzip(chunked(joined, 5)));

    // Assert
    expect(text(out)).toBe('first\nsecond\n');
  });

  it('turns truncated gzip data into UnreadableInput', async () => {
    // Arrange
    const whole = gzipSync('{"a":1}\n'.repeat(1000));
    const truncated = whole.subarray(0, whole.byteLength - 20);

    // Act
    const reading = collect(gunzip(chunked(truncated, 64)));

    // Assert
    await expect(reading).rejects.toThrow(UnreadableInput);
    await expect(reading).rejects.toThrow(/gzip data is truncated or corrupt \(unexpected end of file\)/);
  });

  it('turns data that is not gzip into UnreadableInput', async () => {
    // Arrange / Act
    const reading = collect(gunzip(chunked('{"orderId":"plain text, not gzip"}\n')));

    // Assert
    await expect(reading).rejects.toThrow(/gzip data is truncated or corrupt \(incorrect header check\)/);
  });

  it('passes a failure of the source through unchanged, so the invocation is retried', async () => {
    // Arrange
    const broken = async function* (): AsyncGenerator<Uint8Array> {
      yield gzipSync('x').subarray(0, 5);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    };

    // Act
    const reading = collect(gunzip(broken()));

    // Assert
    await expect(reading).rejects.toThrow('socket hang up');
    await expect(reading).rejects.not.toThrow(UnreadableInput);
  });
});

describe('decodeUtf8', () => {
  it('decodes multi-byte characters split across chunks', async () => {
    // Arrange
    const original = 'Grüße ✓ 😀 '.repeat(20);

    // Act
    const out = await collect(decodeUtf8(chunked(original, 1)));

    // Assert
    expect(out.join('')).toBe(original);
  });

  it('fails on an invalid byte sequence instead of replacing it', async () => {
    // Arrange
    const bytes = Buffer.concat([Buffer.from('ok '), Buffer.from([0xff, 0xfe]), Buffer.from(' more')]);

    // Act
    const reading = collect(decodeUtf8(chunked(bytes, 3)));

    // Assert
    await expect(reading).rejects.toThrow(/not valid UTF-8 \(an invalid byte sequence at byte 3\)/);
  });

  it('fails when the input ends inside a character', async () => {
    // Arrange
    const bytes = Buffer.from('ok ✓').subarray(0, 4);

    // Act
    const reading = collect(decodeUtf8(chunked(bytes, 2)));

    // Assert
    await expect(reading).rejects.toThrow(/ends inside a multi-byte character/);
  });
});
