import { decodeUtf8 } from '../../../../functions/ingest/decode';
import { parseJsonArray } from '../../../../functions/ingest/parsers/json-array';
import type { Cursor } from '../../../../functions/ingest/parsers/types';
import { anOrder } from '../../../helpers/orders';

const TARGET_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/**
 * A JSON array of about 200 MB, made as it is read (never held whole): orders, with every 1,000th
 * element not valid JSON. Yields S3-sized chunks that cut through elements anywhere.
 */
async function* hugeArray(stats: { elements: number; bytes: number }): AsyncGenerator<Uint8Array> {
  // One order's text, with a placeholder id of fixed width: built once, copied per element.
  const template = JSON.stringify(anOrder({ orderId: 'big-0000000' }));
  const invalid = template.replace('"totalCents":', '"totalCents":,');
  let parts: string[] = ['[\n'];
  let partBytes = 2;
  for (let index = 1; stats.bytes < TARGET_BYTES; index += 1) {
    const id = `big-${String(index).padStart(7, '0')}`;
    const text = (index % 1000 === 0 ? invalid : template).replace('big-0000000', id);
    parts.push(index > 1 ? `,\n${text}` : text);
    partBytes += text.length + (index > 1 ? 2 : 0);
    stats.elements += 1;
    if (partBytes >= CHUNK_BYTES) {
      const chunk = Buffer.from(parts.join(''), 'utf8');
      stats.bytes += chunk.byteLength;
      parts = [];
      partBytes = 0;
      // Cut the chunk in two at an arbitrary point, so element boundaries fall inside chunks.
      const cut = (index * 7919) % chunk.byteLength;
      yield chunk.subarray(0, cut);
      yield chunk.subarray(cut);
    }
  }
  const tail = Buffer.from(`${parts.join('')}\n]\n`, 'utf8');
  stats.bytes += tail.byteLength;
  yield tail;
}

describe('parseJsonArray on a 200 MB array', () => {
  it('streams every element once, in order, with the heap flat', async () => {
    // Arrange
    const stats = { elements: 0, bytes: 0 };
    const cursor: Cursor = { line: 0 };
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let read = 0;
    let valid = 0;
    let invalid = 0;
    let outOfOrder = 0;

    // Act
    for await (const record of parseJsonArray(decodeUtf8(hugeArray(stats)), cursor)) {
      read += 1;
      if (record.line !== read) outOfOrder += 1;
      if (record.kind === 'value') valid += 1;
      else invalid += 1;
      if (read % 10_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }

    // Assert
    expect(stats.bytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    expect(read).toBe(stats.elements);
    expect(outOfOrder).toBe(0);
    expect(invalid).toBe(Math.floor(stats.elements / 1000));
    expect(valid + invalid).toBe(read);
    // Holding the array would take more than 200 MB of heap; one element at a time stays far below.
    expect(heapPeak - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
