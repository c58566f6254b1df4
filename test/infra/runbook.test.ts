import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../lib/project-root';
import {
  alarmsOnUnpublishedMetrics,
  alarmsWithoutRunbookEntry,
  emittedMetrics,
  type Resources,
} from './support/alarm-coverage';
import { buildApp } from './support/app';

const runbook = readFileSync(join(PROJECT_ROOT, 'docs', 'runbook.md'), 'utf8');
const stages = ['dev', 'prod'].map((stage) => {
  const { pipeline } = buildApp({ stage });
  return { stage, resources: Template.fromStack(pipeline).toJSON().Resources as Resources };
});
const [dev] = stages;

describe('docs/runbook.md and the alarms', () => {
  it.each(stages)('has an entry for every alarm of the $stage pipeline stack', ({ resources }) => {
    // Act
    const missing = alarmsWithoutRunbookEntry(resources, runbook);

    // Assert
    expect(
      Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length,
    ).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it.each(stages)('alarms in the $stage stack only on custom metrics a function emits', ({ resources }) => {
    // Act
    const unpublished = alarmsOnUnpublishedMetrics(resources, PROJECT_ROOT);

    // Assert
    expect(unpublished).toEqual([]);
    expect(emittedMetrics(resources, PROJECT_ROOT)).toEqual(
      expect.arrayContaining([
        {
          namespace: 'orderflow',
          metricName: 'OrdersNeedingAttention',
          dimensions: { service: 'execution-ended' },
        },
      ]),
    );
  });

  it('fails an alarm whose runbook entry is missing, and one on a metric or dimension nobody emits', () => {
    // Arrange: the dev template broken on purpose, three ways
    const resources = structuredClone(dev?.resources ?? {}) as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    const needsAttention = alarms.find(([, r]) => Array.isArray(r.Properties?.Metrics));
    const plain = alarms.find(([id]) => id !== needsAttention?.[0]);
    if (!needsAttention || !plain) throw new Error('the template has no alarms to break');
    const [mathId, math] = needsAttention;
    const queries = math.Properties?.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[];
    const [first, second] = queries.filter((query) => query.MetricStat);
    if (!first?.MetricStat || !second?.MetricStat) throw new Error('expected two metric queries');
    first.MetricStat.Metric.MetricName = 'OrdersNeedingAttentoin';
    second.MetricStat.Metric.Dimensions = [
      { Name: 'service', Value: 'execution-ended' },
      { Name: 'orderId', Value: 'x' },
    ];
    const [plainId, plainAlarm] = plain;
    plainAlarm.Properties = {
      ...plainAlarm.Properties,
      AlarmDescription: 'Runbook: docs/runbook.md#no-such-entry',
    };

    // Act
    const unpublished = alarmsOnUnpublishedMetrics(resources, PROJECT_ROOT);
    const missing = alarmsWithoutRunbookEntry(resources, runbook);

    // Assert
    expect(unpublished).toEqual([
      expect.stringMatching(new RegExp(`^${mathId}: nothing emits orderflow/OrdersNeedingAttentoin`)),
      `${mathId}: nothing emits orderflow/OrdersNeedingAttention {orderId=x, service=execution-ended}`,
    ]);
    expect(missing).toEqual([`${plainId}: docs/runbook.md has no entry #no-such-entry`]);
  });
});
