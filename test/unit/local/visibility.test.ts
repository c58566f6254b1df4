import { deriveTopology, type LocalTopology, synthesizeApp } from '../../../local/topology';
import { capVisibilityTimeouts } from '../../../local/visibility';

const topology: LocalTopology = deriveTopology(synthesizeApp({}), {
  region: 'us-east-1',
  accountId: '000000000000',
  queueUrl: (name) => `http://sqs.local/000000000000/${name}`,
});

const visibility = (capped: LocalTopology) =>
  Object.fromEntries(
    capped.queues.map((queue) => [
      queue.name,
      { seconds: queue.visibilityTimeoutSeconds, attribute: queue.attributes.VisibilityTimeout },
    ]),
  );

/** Each queue's consuming function's timeout, from the event source mappings (0 for queues nothing polls). */
const consumerTimeouts = (): Record<string, number> =>
  Object.fromEntries(
    topology.queues.map((queue) => {
      const timeouts = topology.eventSourceMappings
        .filter((mapping) => mapping.queueArn === queue.arn)
        .map(
          (mapping) => topology.functions.find((fn) => fn.arn === mapping.functionArn)?.timeoutSeconds ?? 0,
        );
      return [queue.name, Math.max(0, ...timeouts)];
    }),
  );

describe('capVisibilityTimeouts (chaos runs)', () => {
  it('caps every queue but never below the timeout of the function it feeds, as Lambda requires', () => {
    // Arrange
    const consumers = consumerTimeouts();
    const polled = Object.entries(consumers).filter(([, timeout]) => timeout > 0);
    expect(polled.map(([, timeout]) => timeout).sort((a, b) => a - b)).toEqual([30, 300]);

    // Act
    const capped = visibility(capVisibilityTimeouts(topology, 20));

    // Assert: orders.fifo keeps process-order's 30 s, the continuation queue ingest's 300 s, the rest 20 s
    for (const queue of topology.queues) {
      const expected = Math.min(queue.visibilityTimeoutSeconds, Math.max(20, consumers[queue.name] ?? 0));
      expect({ queue: queue.name, ...capped[queue.name] }).toEqual({
        queue: queue.name,
        seconds: expected,
        attribute: String(expected),
      });
    }
    expect(Object.values(capped).filter(({ seconds }) => seconds === 20).length).toBe(
      topology.queues.length - polled.length,
    );
  });

  it('leaves a queue whose visibility is below the cap as it is', () => {
    // Act
    const capped = visibility(capVisibilityTimeouts(topology, 100_000));

    // Assert
    const seconds = (queues: ReturnType<typeof visibility>) =>
      Object.fromEntries(Object.entries(queues).map(([name, queue]) => [name, queue.seconds]));
    expect(seconds(capped)).toEqual(seconds(visibility(topology)));
  });
});
