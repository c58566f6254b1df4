/**
 * csv-parse, loaded when the first CSV file is read: a file of its own in the bundle
 * (lib/bundling/lazy-modules), so that a cold start for the usual JSON Lines file does not parse it.
 * Its error class is tested with `instanceof` only against this module's own export.
 */
export { CsvError, parse } from 'csv-parse';
