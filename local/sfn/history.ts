import type { StateMachine } from 'aws-local-stepfunctions';

/** One event of the interpreter's log (`run().eventLogs`). */
export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type EventDetails = Readonly<Record<string, unknown>>;

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  /** e.g. `stateEnteredEventDetails`, as GetExecutionHistory names the member. */
  readonly detailsKey?: string;
  readonly details?: EventDetails;
}

const EXECUTION_DATA_FIELDS = new Set(['input', 'output', 'parameters']);

/** An execution's history in AWS's vocabulary, built from the interpreter's log and the Task overrides. */
export class ExecutionHistory {
  readonly #events: HistoryEvent[] = [];

  get events(): readonly HistoryEvent[] {
    return this.#events;
  }

  record(type: string, detailsKey?: string, details?: EventDetails): void {
    const id = this.#events.length + 1;
    // AWS links an event to its cause; the previous event is the honest approximation here.
    this.#events.push({ id, previousEventId: id - 1, timestamp: new Date(), type, detailsKey, details });
  }

  /** Keeps the state-level events; execution-level ones are recorded by the endpoint itself. */
  recordInterpreterEvent(event: InterpreterEvent): void {
    switch (event.type) {
      case 'StateEntered':
        this.record(`${event.state.type}StateEntered`, 'stateEnteredEventDetails', {
          name: event.state.name,
          input: JSON.stringify(event.state.input),
          inputDetails: { truncated: false },
        });
        return;
      case 'StateExited':
        this.record(`${event.state.type}StateExited`, 'stateExitedEventDetails', {
          name: event.state.name,
          output: JSON.stringify(event.state.output ?? null),
          outputDetails: { truncated: false },
        });
        return;
      case 'MapIterationStarted':
        this.record('MapIterationStarted', 'mapIterationStartedEventDetails', {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      case 'MapIterationSucceeded':
        this.record('MapIterationSucceeded', 'mapIterationSucceededEventDetails', {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      case 'MapIterationFailed':
        this.record('MapIterationFailed', 'mapIterationFailedEventDetails', {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      default:
        // StateFailed/Retried/Caught have no AWS counterpart: AWS shows TaskFailed, then the next
        // TaskScheduled or the next state. Execution-level events come from the endpoint.
        return;
    }
  }
}

/** A history event as GetExecutionHistory returns it (timestamps in epoch seconds). */
export const toApiEvent = (event: HistoryEvent, includeExecutionData: boolean): Record<string, unknown> => {
  const base = {
    timestamp: event.timestamp.getTime() / 1000,
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  if (!event.detailsKey || !event.details) return base;
  const details = includeExecutionData
    ? event.details
    : Object.fromEntries(Object.entries(event.details).filter(([key]) => !EXECUTION_DATA_FIELDS.has(key)));
  return { ...base, [event.detailsKey]: details };
};
