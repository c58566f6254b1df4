import type { LocalTopology } from './derive/types';

/**
 * Caps every queue's visibility timeout at `maxSeconds` (a chaos run: a batch that failed comes back
 * in seconds rather than the CDK's minutes), but never below the timeout of a function the queue feeds
 * through an event source mapping: Lambda refuses such a mapping ("Queue visibility timeout: … is less
 * than Function timeout: …"), because a message would be received again while the invocation that
 * holds it may still run, and every such receive spends one of the message's maxReceiveCount.
 */
export const capVisibilityTimeouts = (topology: LocalTopology, maxSeconds: number): LocalTopology => {
  const timeouts = new Map(topology.functions.map((fn) => [fn.arn, fn.timeoutSeconds]));
  const floorOf = (queueArn: string): number =>
    Math.max(
      0,
      ...topology.eventSourceMappings
        .filter((mapping) => mapping.queueArn === queueArn)
        .map((mapping) => timeouts.get(mapping.functionArn) ?? 0),
    );
  return {
    ...topology,
    queues: topology.queues.map((queue) => {
      const seconds = Math.min(queue.visibilityTimeoutSeconds, Math.max(maxSeconds, floorOf(queue.arn)));
      return {
        ...queue,
        visibilityTimeoutSeconds: seconds,
        attributes: { ...queue.attributes, VisibilityTimeout: String(seconds) },
      };
    }),
  };
};
