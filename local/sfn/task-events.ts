import type { EventDetails } from './history';
import type { LambdaTask } from './lambda-tasks';

export interface HistoryRecorder {
  record(type: string, detailsKey?: string, details?: EventDetails): void;
}

/** The history events of one Task attempt, named as AWS names them for the task's integration. */
export interface TaskEvents {
  scheduled(input: unknown): void;
  started(): void;
  succeeded(output: unknown): void;
  failed(error: string, cause: string): void;
  timedOut(): void;
}

const timeoutOf = (task: LambdaTask) =>
  task.timeoutSeconds === undefined ? {} : { timeoutInSeconds: task.timeoutSeconds };

/** `arn:aws:states:::lambda:invoke`: TaskScheduled, TaskStarted, TaskSucceeded / TaskFailed / TaskTimedOut. */
const invokeEvents = (task: LambdaTask, history: HistoryRecorder, region: string): TaskEvents => {
  const resource = { resourceType: 'lambda', resource: 'invoke' };
  return {
    scheduled: (input) =>
      history.record('TaskScheduled', 'taskScheduledEventDetails', {
        ...resource,
        region,
        parameters: JSON.stringify(input),
        ...timeoutOf(task),
      }),
    started: () => history.record('TaskStarted', 'taskStartedEventDetails', resource),
    succeeded: (output) =>
      history.record('TaskSucceeded', 'taskSucceededEventDetails', {
        ...resource,
        output: JSON.stringify(output),
        outputDetails: { truncated: false },
      }),
    failed: (error, cause) =>
      history.record('TaskFailed', 'taskFailedEventDetails', { ...resource, error, cause }),
    timedOut: () =>
      history.record('TaskTimedOut', 'taskTimedOutEventDetails', { ...resource, error: 'States.Timeout' }),
  };
};

/** A bare function ARN as Resource: LambdaFunctionScheduled, …Started, …Succeeded / …Failed / …TimedOut. */
const functionEvents = (task: LambdaTask, history: HistoryRecorder): TaskEvents => ({
  scheduled: (input) =>
    history.record('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
      resource: task.resource,
      input: JSON.stringify(input),
      inputDetails: { truncated: false },
      ...timeoutOf(task),
    }),
  started: () => history.record('LambdaFunctionStarted'),
  succeeded: (output) =>
    history.record('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
      output: JSON.stringify(output),
      outputDetails: { truncated: false },
    }),
  failed: (error, cause) =>
    history.record('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', { error, cause }),
  timedOut: () =>
    history.record('LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails', {
      error: 'States.Timeout',
    }),
});

export const taskEventsFor = (task: LambdaTask, history: HistoryRecorder, region: string): TaskEvents =>
  task.integration === 'invoke' ? invokeEvents(task, history, region) : functionEvents(task, history);
