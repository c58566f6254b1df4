import { randomBytes } from 'node:crypto';

/** A name unique to this run, so test files can share the stand-ins in parallel. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;
