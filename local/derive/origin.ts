import type { ResourceRef } from '../cfn/template';
import type { Origin } from './types';

export const originOf = (ref: ResourceRef): Origin => {
  const path = ref.stack.paths[ref.logicalId];
  return { stackName: ref.stack.stackName, logicalId: ref.logicalId, ...(path ? { path } : {}) };
};

/** A template number that may arrive as a number or a numeric string. */
export const numberOr = (value: unknown, fallback: number): number => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return fallback;
};
