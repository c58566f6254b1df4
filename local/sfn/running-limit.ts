import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/** How many executions may run their states at once; `onRaise` hears when more may. */
export interface RunningLimit {
  readonly current: number;
  onRaise(listener: () => void): void;
}

export interface ResponsiveLimitOptions {
  /** The most executions at once, and where the limit starts. */
  readonly max: number;
  /** The fewest the limit shrinks to. */
  readonly min: number;
  /** How often the event loop's delay is judged. @default 1,000 ms */
  readonly everyMs?: number;
  /** A mean delay above this shrinks the limit by a quarter. @default 100 ms */
  readonly slowMs?: number;
  /** A mean delay below this lets it grow by `step`. @default 20 ms */
  readonly quickMs?: number;
  /** @default 4 */
  readonly step?: number;
  /** For tests: the mean event-loop delay in ms since the last judgement. @default a perf_hooks histogram */
  readonly meanDelayMs?: () => number;
}

/**
 * A running limit that follows how responsive this process is. Every execution's states, the functions
 * they invoke in-process and the proxies in front of the stand-ins share one event loop; when the
 * machine is busy, each await waits behind all the others, and a step's wall time (which its Lambda
 * timeout counts) grows with the executions in flight. In AWS every invocation has a CPU of its own.
 * So while the loop lags, fewer executions may start (those running go on) and the rest wait,
 * RUNNING to the API; once it is quick again, the limit grows back to `max`.
 */
export class ResponsiveLimit implements RunningLimit {
  #current: number;
  readonly #listeners: (() => void)[] = [];
  readonly #histogram: IntervalHistogram | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly options: ResponsiveLimitOptions) {
    if (!(options.min >= 1 && options.min <= options.max)) {
      throw new Error(`a running limit needs 1 ≤ min ≤ max, got ${options.min} and ${options.max}`);
    }
    this.#current = options.max;
    if (options.meanDelayMs === undefined) {
      this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      this.#histogram.enable();
    }
    this.#timer = setInterval(() => this.judge(), options.everyMs ?? 1_000);
    this.#timer.unref();
  }

  get current(): number {
    return this.#current;
  }

  onRaise(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** One judgement of the delay since the last (the interval calls it; tests may too). */
  judge(): void {
    const delay = this.options.meanDelayMs?.() ?? this.#meanFromHistogram();
    const { min, max } = this.options;
    if (delay > (this.options.slowMs ?? 100)) {
      this.#current = Math.max(min, Math.floor(this.#current * 0.75));
    } else if (delay < (this.options.quickMs ?? 20) && this.#current < max) {
      this.#current = Math.min(max, this.#current + (this.options.step ?? 4));
      for (const listener of this.#listeners) listener();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram?.disable();
  }

  #meanFromHistogram(): number {
    const histogram = this.#histogram;
    if (histogram === undefined || histogram.count === 0) return 0;
    // The histogram holds each interval of its 10 ms timer, in nanoseconds: the delay is what lies beyond.
    const mean = histogram.mean / 1e6 - RESOLUTION_MS;
    histogram.reset();
    return Number.isFinite(mean) ? Math.max(0, mean) : 0;
  }
}
