import { isJsonMap, type Json, type JsonMap } from '../cfn/template';

/**
 * EventBridge content filtering, for the operators orderflow's rules could use: exact values,
 * prefix, suffix, anything-but, exists, numeric and equals-ignore-case. A pattern matches when
 * every field it names matches; a list matches when any of its entries does.
 */
export const matchesPattern = (pattern: JsonMap, event: unknown): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    const actual = isJsonMap(event as Json) ? (event as JsonMap)[field] : undefined;
    if (isJsonMap(expected)) return isJsonMap(actual ?? null) && matchesPattern(expected, actual);
    return Array.isArray(expected) && matchesField(expected, actual);
  });

const matchesField = (expected: readonly Json[], actual: Json | undefined): boolean => {
  if (actual === undefined) return expected.some((rule) => isJsonMap(rule) && rule.exists === false);
  const values = Array.isArray(actual) ? actual : [actual];
  return expected.some((rule) => values.some((value) => matchesValue(rule, value)));
};

const NUMERIC: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const numericMatches = (conditions: readonly Json[], value: Json): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const compare = NUMERIC[String(conditions[i])];
    if (!compare?.(value, Number(conditions[i + 1]))) return false;
  }
  return true;
};

const matchesValue = (rule: Json, value: Json): boolean => {
  if (!isJsonMap(rule)) return rule === value;
  if (rule.exists === true) return true;
  if (typeof rule.prefix === 'string') return typeof value === 'string' && value.startsWith(rule.prefix);
  if (typeof rule.suffix === 'string') return typeof value === 'string' && value.endsWith(rule.suffix);
  if (typeof rule['equals-ignore-case'] === 'string') {
    return typeof value === 'string' && value.toLowerCase() === rule['equals-ignore-case'].toLowerCase();
  }
  if (Array.isArray(rule.numeric)) return numericMatches(rule.numeric, value);
  if (rule['anything-but'] !== undefined) {
    const excluded = rule['anything-but'];
    if (Array.isArray(excluded)) return !excluded.includes(value);
    if (isJsonMap(excluded)) return !matchesValue(excluded, value);
    return excluded !== value;
  }
  return false;
};
