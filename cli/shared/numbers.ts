import { InvalidArgumentError } from 'commander';

/** Option parsers: a wrong number is a usage error (exit 2) naming the option, never a RangeError later. */
export const port = (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535');
  }
  return parsed;
};

export const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError('must be a whole number ≥ 1');
  }
  return parsed;
};

export const wholeNumber = (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) {
    throw new InvalidArgumentError('must be a whole number ≥ 0');
  }
  return parsed;
};

export const rate = (value: string): number => {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed <= 1)) {
    throw new InvalidArgumentError('must be a number from 0 to 1');
  }
  return parsed;
};

export const positiveNumber = (value: string): number => {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || !(parsed > 0)) {
    throw new InvalidArgumentError('must be a positive number');
  }
  return parsed;
};

/** `--since`: an ISO 8601 time, or a duration back from now: `90s`, `15m`, `6h`, `2d`. */
export const sinceTime = (value: string, now: Date = new Date()): string => {
  const ago = /^(\d+)([smhd])$/.exec(value.trim());
  if (ago) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(ago[1]) * unit).toISOString();
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidArgumentError(
      'an ISO 8601 time (2026-11-30T18:00:00Z) or a duration back from now (15m, 6h, 2d)',
    );
  }
  return parsed.toISOString();
};
