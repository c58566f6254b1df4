import type { LocalEventRule } from '../topology';
import { matchesPattern } from './event-pattern';

/**
 * The default event bus, for the events the runtime emits (Step Functions status changes): every
 * enabled rule whose pattern matches hands the event to its function targets, which Lambda
 * invokes asynchronously (EventBridge → Lambda is an async invoke, with the function's own
 * retries and on-failure destination).
 */
export class EventBus {
  private readonly matched = new Map<string, number>();

  constructor(
    private readonly rules: readonly LocalEventRule[],
    private readonly invokeFunction: (arn: string, event: unknown) => void,
  ) {}

  put(event: unknown): number {
    let deliveries = 0;
    for (const rule of this.rules) {
      if (!rule.enabled || !matchesPattern(rule.pattern, event)) continue;
      this.matched.set(rule.name, (this.matched.get(rule.name) ?? 0) + 1);
      for (const target of rule.targets) {
        if (target.kind !== 'function') continue;
        this.invokeFunction(target.arn, event);
        deliveries += 1;
      }
    }
    return deliveries;
  }

  /** How many events each rule matched. */
  matches(): ReadonlyMap<string, number> {
    return this.matched;
  }
}
