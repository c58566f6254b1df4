import { detectFormat } from '../../../functions/ingest/formats';

describe('detectFormat', () => {
  it.each([
    ['incoming/orders.jsonl', 'jsonl', false],
    ['incoming/orders.ndjson', 'jsonl', false],
    ['incoming/orders.json', 'json', false],
    ['incoming/orders.csv', 'csv', false],
    ['incoming/orders.JSONL.GZ', 'jsonl', true],
    ['incoming/orders.json.gz', 'json', true],
    ['incoming/2026.11.20 orders.csv.gz', 'csv', true],
  ])('reads %s as %s (gzip %s)', (key, format, gzip) => {
    // Arrange / Act / Assert
    expect(detectFormat(key)).toEqual({ ok: true, format, gzip });
  });

  it.each([
    'incoming/orders.xml',
    'incoming/orders',
    'incoming/orders.gz',
    'incoming/orders.txt.gz',
    'incoming/.jsonl.bak',
  ])('rejects %s with a reason naming the supported types', (key) => {
    // Arrange / Act
    const detection = detectFormat(key);

    // Assert
    expect(detection.ok).toBe(false);
    expect(!detection.ok && detection.reason).toMatch(
      /unsupported file type .*expected \.jsonl, \.ndjson, \.json, \.csv/,
    );
  });
});
