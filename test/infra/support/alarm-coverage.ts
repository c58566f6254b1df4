import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

type Resource = {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
};
export type Resources = Readonly<Record<string, Resource>>;

/** A metric as CloudWatch keys it: namespace, name and the exact set of dimension names. */
export interface MetricKey {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

const keyText = (key: MetricKey): string =>
  `${key.namespace}/${key.metricName} {${Object.entries(key.dimensions)
    .map(([name, value]) => `${name}=${value}`)
    .sort()
    .join(', ')}}`;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export const runbookAnchors = (markdown: string): Set<string> =>
  new Set(
    [...markdown.matchAll(/^#{2,3} (.+)$/gm)].map((match) =>
      (match[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );

const RUNBOOK_LINK = /Runbook: docs\/runbook\.md#([a-z0-9-]+)/;

const alarmsOf = (resources: Resources) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');

/** Alarms whose description names no runbook entry, or one the runbook does not have. */
export const alarmsWithoutRunbookEntry = (resources: Resources, runbook: string): string[] => {
  const anchors = runbookAnchors(runbook);
  return alarmsOf(resources).flatMap(([id, alarm]) => {
    const description = String(alarm.Properties?.AlarmDescription ?? '');
    const anchor = RUNBOOK_LINK.exec(description)?.[1];
    if (anchor === undefined) return [`${id}: its description names no runbook entry`];
    return anchors.has(anchor) ? [] : [`${id}: docs/runbook.md has no entry #${anchor}`];
  });
};

const dimensionsOf = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    (Array.isArray(value) ? value : []).map((dimension: { Name?: unknown; Value?: unknown }) => [
      String(dimension.Name),
      typeof dimension.Value === 'string' ? dimension.Value : JSON.stringify(dimension.Value),
    ]),
  );

/** Every metric an alarm watches, directly or through metric math. */
export const watchedMetrics = (alarm: Resource): MetricKey[] => {
  const properties = alarm.Properties ?? {};
  if (typeof properties.MetricName === 'string') {
    return [
      {
        namespace: String(properties.Namespace),
        metricName: properties.MetricName,
        dimensions: dimensionsOf(properties.Dimensions),
      },
    ];
  }
  const queries = Array.isArray(properties.Metrics) ? properties.Metrics : [];
  return queries.flatMap((query: { MetricStat?: { Metric?: Record<string, unknown> } }) => {
    const metric = query.MetricStat?.Metric;
    if (!metric) return [];
    return [
      {
        namespace: String(metric.Namespace),
        metricName: String(metric.MetricName),
        dimensions: dimensionsOf(metric.Dimensions),
      },
    ];
  });
};

const sourcesNextTo = (root: string, entry: string): string =>
  readdirSync(join(root, dirname(entry)))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(root, dirname(entry), file), 'utf8'))
    .join('\n');

/**
 * The custom metrics the stack's functions emit, read from their sources: each function's folder
 * (its `orderflow:entry`), the Powertools service it names (`makePowertools('…')`, or
 * POWERTOOLS_SERVICE_NAME), its namespace (POWERTOOLS_METRICS_NAMESPACE) and every `addMetric('…')`.
 * Powertools' EMF has one dimension, `service`.
 */
export const emittedMetrics = (resources: Resources, root: string): MetricKey[] =>
  Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .flatMap((fn) => {
      const entry = fn.Metadata?.['orderflow:entry'];
      if (typeof entry !== 'string') return [];
      const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {}) as Record<string, unknown>;
      const source = sourcesNextTo(root, entry);
      const service =
        /makePowertools\(\s*'([^']+)'/.exec(source)?.[1] ?? String(variables.POWERTOOLS_SERVICE_NAME ?? '');
      const namespace = String(variables.POWERTOOLS_METRICS_NAMESPACE ?? '');
      return [...source.matchAll(/addMetric\(\s*'([^']+)'/g)].map((match) => ({
        namespace,
        metricName: match[1] ?? '',
        dimensions: { service },
      }));
    });

/** Alarms on a custom metric (not `AWS/…`) that no function emits with that name and dimension set. */
export const alarmsOnUnpublishedMetrics = (resources: Resources, root: string): string[] => {
  const emitted = new Set(emittedMetrics(resources, root).map(keyText));
  return alarmsOf(resources).flatMap(([id, alarm]) =>
    watchedMetrics(alarm)
      .filter((metric) => !metric.namespace.startsWith('AWS/'))
      .filter((metric) => !emitted.has(keyText(metric)))
      .map((metric) => `${id}: nothing emits ${keyText(metric)}`),
  );
};
