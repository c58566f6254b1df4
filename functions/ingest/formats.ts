export type RecordFormat = 'jsonl' | 'json' | 'csv';

export type FormatDetection =
  | { readonly ok: true; readonly format: RecordFormat; readonly gzip: boolean }
  | { readonly ok: false; readonly reason: string };

const BY_EXTENSION: Readonly<Record<string, RecordFormat>> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  csv: 'csv',
};

export const SUPPORTED_EXTENSIONS = ['.jsonl', '.ndjson', '.json', '.csv', '(any of these).gz'] as const;

/**
 * The format comes from the key's extension alone (case-insensitive), never from sniffing the
 * content: an uploader states what a file is, and a wrong name is an error worth reporting.
 */
export const detectFormat = (key: string): FormatDetection => {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const parts = name.split('.');
  const gzip = parts.length > 2 && parts.at(-1) === 'gz';
  const extension = gzip ? parts.at(-2) : parts.length > 1 ? parts.at(-1) : undefined;
  const format = extension === undefined ? undefined : BY_EXTENSION[extension];
  if (format === undefined) {
    return {
      ok: false,
      reason: `unsupported file type ${JSON.stringify(name)}: expected ${SUPPORTED_EXTENSIONS.join(', ')}`,
    };
  }
  return { ok: true, format, gzip };
};
