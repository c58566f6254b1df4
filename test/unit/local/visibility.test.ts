import { deriveTopology, type LocalTopology, synthesizeApp } from '../../../local/topology';
import { capVisibilityTimeouts } from '../../../local/visibility';

const topology: LocalTopology = deriveTopology(synthesizeApp({}), {
  region: 'us-east-1',
  accountId: '000000000000',
  queueUrl: (name) => `http://sqs.local/000000000000/${name}`,
});

const secondsByQueue = (capped: LocalTopology) =>
  Object.fromEntries(capped.queues.map((queue) => [queue.name, queue.visibilityTimeoutSeconds]));

const queueNamed = (part: string): string => {
  const queue = topology.queues.find((candidate) => candidate.name.includes(part));
  if (queue === undefined) throw new Error(`no queue named like ${part}`);
  return queue.name;
};

describe('capVisibilityTimeouts (chaos runs)', () => {
  it('caps every queue but never below the timeout of the function it feeds, as Lambda requires', () => {
    // Arrange: orders.fifo feeds process-order (30 s), the continuation queue feeds ingest (300 s)
    const orders = queueNamed('QueuesOrders');
    const continuations = queueNamed('IngestContinuations');

    // Act
    const capped = capVisibilityTimeouts(topology, 20);

    // Assert: the queues nothing polls take the cap
    const expected = Object.fromEntries(
      topology.queues.map((queue) => [queue.name, Math.min(queue.visibilityTimeoutSeconds, 20)]),
    );
    expect(secondsByQueue(capped)).toEqual({ ...expected, [orders]: 30, [continuations]: 300 });
    for (const queue of capped.queues) {
      expect(queue.attributes.VisibilityTimeout).toBe(String(queue.visibilityTimeoutSeconds));
    }
  });

  it('leaves a queue whose visibility is below the cap as it is', () => {
    // Act
    const capped = capVisibilityTimeouts(topology, 100_000);

    // Assert
    expect(secondsByQueue(capped)).toEqual(secondsByQueue(topology));
  });
});
