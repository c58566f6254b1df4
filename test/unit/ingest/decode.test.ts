import { decodeUtf8 } from '../../../functions/ingest/decode';
import { UnreadableInput } from '../../../functions/ingest/parsers/types';
import { chunked } from '../../helpers/streams';

const decodeAll = async (bytes: Uint8Array, size: number): Promise<{ text: string; error?: unknown }> => {
  let text = '';
  try {
    for await (const part of decodeUtf8(chunked(bytes, size))) text += part;
  } catch (error) {
    return { text, error };
  }
  return { text };
};

describe('decodeUtf8', () => {
  it.each([1, 2, 3, 5, 64])('decodes multi-byte characters split across chunks of %i bytes', async (size) => {
    // Arrange
    const text = 'Zoë 🎉 Müller — 東京';

    // Act
    const decoded = await decodeAll(Buffer.from(`\uFEFF${text}`, 'utf8'), size);

    // Assert
    expect(decoded).toEqual({ text });
  });

  it.each([
    ['a bad continuation byte', [0xc3, 0x28]],
    ['a lone continuation byte', [0x80]],
    ['an overlong form', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a byte that never occurs', [0xff]],
  ])('yields everything before %s, then fails naming its byte offset', async (_name, bad) => {
    // Arrange
    const bytes = Buffer.concat([Buffer.from('line one\nZoë\n'), Buffer.from(bad), Buffer.from('after\n')]);

    // Act
    const decoded = await decodeAll(bytes, 64);

    // Assert
    expect(decoded.text).toBe('line one\nZoë\n');
    expect(decoded.error).toBeInstanceOf(UnreadableInput);
    expect((decoded.error as Error).message).toContain('at byte 14');
  });

  it('fails when the input ends inside a multi-byte character', async () => {
    // Act
    const decoded = await decodeAll(Buffer.from([0x61, 0xe2, 0x82]), 2);

    // Assert
    expect(decoded.text).toBe('a');
    expect((decoded.error as Error).message).toContain('ends inside a multi-byte character');
  });
});
