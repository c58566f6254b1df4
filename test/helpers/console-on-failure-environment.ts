import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CAPTURED: readonly ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug'];

/**
 * jest's Node environment, except that console output of a test is held back and printed only
 * when that test (or a hook around it) fails. The handlers under test log their expected errors
 * (a transient failure, a rejected order) as Powertools ERROR lines; printed for every passing
 * test they would bury the one failure worth reading.
 */
export default class ConsoleOnFailureEnvironment extends NodeEnvironment {
  #held: { method: ConsoleMethod; args: unknown[] }[] = [];
  #console: Console | undefined;

  override async setup(): Promise<void> {
    await super.setup();
    const original = this.global.console;
    this.#console = original;
    const holding = Object.create(original) as Console;
    for (const method of CAPTURED) {
      holding[method] = (...args: unknown[]) => {
        this.#held.push({ method, args });
      };
    }
    this.global.console = holding;
  }

  async handleTestEvent(event: Circus.Event): Promise<void> {
    switch (event.name) {
      case 'test_start':
        this.#held = [];
        break;
      case 'test_done':
        if (event.test.errors.length > 0) this.#release(`while "${event.test.name}" ran`);
        this.#held = [];
        break;
      case 'hook_failure':
        this.#release(`while its ${event.hook.type} hook ran`);
        break;
      default:
        break;
    }
  }

  #release(when: string): void {
    const target = this.#console;
    if (target === undefined || this.#held.length === 0) return;
    target.error(`── console output ${when}, held back until it failed ──`);
    for (const { method, args } of this.#held) target[method](...args);
    this.#held = [];
  }
}
