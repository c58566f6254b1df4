/**
 * Stands in for `@aws-lambda-powertools/jmespath` in the function bundles (an esbuild alias in
 * ORDERFLOW_BUNDLING). Powertools idempotency imports the whole JMESPath lexer, parser, interpreter
 * and function library (~24 kB minified) for its `eventKeyJmesPath` and `payloadValidationJmesPath`;
 * orderflow's expressions only pick fields: `orderId`, `contentHash`, `[bucket, key, version]`. This
 * evaluates exactly that subset, with JMESPath's results (a missing field or a field of a non-object
 * is null, a multi-select list of null is null), and throws on anything else, so an expression
 * outside the subset fails the first invocation that uses it, in the bundled tests too.
 * test/unit/bundling/jmespath-fields.test.ts checks it against the real package, property by property.
 */

/** A field (`a`), a chain of fields (`a.b`), or a multi-select list of those (`[a, b.c]`). */
type Selector = { readonly fields: readonly string[] } | { readonly list: readonly (readonly string[])[] };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const unsupported = (expression: string): Error =>
  new Error(
    `JMESPath expression ${JSON.stringify(expression)} is not supported in orderflow bundles: only fields, ` +
      'dotted fields and multi-select lists of them (lib/bundling/jmespath-fields)',
  );

const fieldChain = (text: string, expression: string): string[] => {
  const fields = text.split('.').map((field) => field.trim());
  if (!fields.every((field) => IDENTIFIER.test(field))) throw unsupported(expression);
  return fields;
};

const compile = (expression: string): Selector => {
  const text = expression.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1);
    if (inner.trim() === '') throw unsupported(expression);
    return { list: inner.split(',').map((part) => fieldChain(part, expression)) };
  }
  return { fields: fieldChain(text, expression) };
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  Object.prototype.toString.call(value) === '[object Object]' && value !== null;

const field = (value: unknown, name: string): unknown =>
  isRecord(value) && name in value ? value[name] : null;

const chain = (value: unknown, fields: readonly string[]): unknown => fields.reduce(field, value);

const compiled = new Map<string, Selector>();

/** JMESPath's `search` for field selections; the options (custom functions) are never needed. */
export const search = (expression: string, data: unknown, _options?: unknown): unknown => {
  let selector = compiled.get(expression);
  if (selector === undefined) {
    selector = compile(expression);
    compiled.set(expression, selector);
  }
  if ('fields' in selector) return chain(data, selector.fields);
  if (data === null) return null;
  return selector.list.map((fields) => chain(data, fields));
};
