/**
 * Reads a required environment variable. Call it at module scope so a missing
 * variable fails the cold start with a clear message rather than the first request.
 */
export const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required but not set`);
  }
  return value;
};

/** Reads an optional environment variable, falling back to `fallback` when it is unset or empty. */
export const envOr = (name: string, fallback: string): string => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
};
