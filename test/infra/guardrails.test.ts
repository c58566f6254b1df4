import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource, type SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type CfnQueue, Queue, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DLQ_ATTRIBUTE_HEADROOM_BYTES, Guardrails, TASK_TIMEOUT_MARGIN_S } from '../../lib/guardrails';
import { buildApp } from './support/app';

interface Scenario {
  readonly queue?: QueueProps;
  readonly functionTimeout?: Duration;
  readonly source?: SqsEventSourceProps;
  readonly dlq?: QueueProps;
}

/** A guarded app with one queue consumed by one function, built from the scenario's settings. */
const synthScenario = (scenario: Scenario) => {
  const app = new App();
  const stack = new Stack(app, 'Guarded');
  const dlq = scenario.dlq ? new Queue(stack, 'Dlq', scenario.dlq) : undefined;
  const queue = new Queue(stack, 'Queue', {
    ...scenario.queue,
    ...(dlq ? { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } } : {}),
  });
  const fn = new LambdaFunction(stack, 'Consumer', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: scenario.functionTimeout ?? Duration.seconds(30),
  });
  fn.addEventSource(new SqsEventSource(queue, { reportBatchItemFailures: true, ...scenario.source }));
  Aspects.of(app).add(new Guardrails());
  return () => app.synth();
};

describe('Guardrails: visibility timeout', () => {
  it('fails synth when the visibility timeout is shorter than six function timeouts', () => {
    // Arrange
    const synth = synthScenario({ queue: { visibilityTimeout: Duration.seconds(179) } });

    // Act / Assert
    expect(synth).toThrow(/visibility timeout of 179 s, below 6 × 30 s .* = 180 s/);
  });

  it('passes when the visibility timeout is six function timeouts', () => {
    // Arrange
    const synth = synthScenario({ queue: { visibilityTimeout: Duration.seconds(180) } });

    // Act / Assert
    expect(synth).not.toThrow();
  });

  it('counts the batching window of a standard queue on top of six function timeouts', () => {
    // Arrange
    const source = { maxBatchingWindow: Duration.seconds(20) };
    const tooShort = synthScenario({ queue: { visibilityTimeout: Duration.seconds(180) }, source });
    const enough = synthScenario({ queue: { visibilityTimeout: Duration.seconds(200) }, source });

    // Act / Assert
    expect(tooShort).toThrow(/\+ 20 s batching window = 200 s/);
    expect(enough).not.toThrow();
  });

  it('applies the default 30 s visibility timeout when the queue sets none', () => {
    // Arrange
    const synth = synthScenario({ functionTimeout: Duration.seconds(6) });

    // Act / Assert
    expect(synth).toThrow(/visibility timeout of 30 s, below 6 × 6 s/);
  });
});

describe('Guardrails: dead-letter queue type', () => {
  const fifo = { fifo: true, visibilityTimeout: Duration.seconds(180) };
  const standard = { visibilityTimeout: Duration.seconds(180) };

  it('fails synth when a FIFO queue redrives to a standard DLQ', () => {
    // Arrange
    const synth = synthScenario({ queue: fifo, dlq: {} });

    // Act / Assert
    expect(synth).toThrow(/FIFO queue Guarded\/Queue\/Resource redrives to a standard dead-letter queue/);
  });

  it('fails synth when a standard queue redrives to a FIFO DLQ', () => {
    // Arrange
    const synth = synthScenario({ queue: standard, dlq: { fifo: true } });

    // Act / Assert
    expect(synth).toThrow(/standard queue Guarded\/Queue\/Resource redrives to a FIFO dead-letter queue/);
  });

  it('passes when both queues are FIFO', () => {
    // Arrange
    const synth = synthScenario({ queue: fifo, dlq: { fifo: true } });

    // Act / Assert
    expect(synth).not.toThrow();
  });

  it('sees a redrive policy changed through an escape hatch', () => {
    // Arrange
    const app = new App();
    const stack = new Stack(app, 'Guarded');
    const queue = new Queue(stack, 'Queue', { fifo: true });
    (queue.node.defaultChild as CfnQueue).redrivePolicy = {
      deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:111122223333:standard-dlq',
      maxReceiveCount: 3,
    };
    Aspects.of(app).add(new Guardrails());

    // Act / Assert
    expect(() => app.synth()).toThrow(/redrives to a standard dead-letter queue arn:aws:sqs/);
  });
});

describe('Guardrails: dead-letter queue size', () => {
  const fifo = { fifo: true, visibilityTimeout: Duration.seconds(180), maxMessageSizeBytes: 262_144 };

  it('fails synth when the DLQ cannot take the largest message plus the error attributes added on the way', () => {
    // Arrange
    const synth = synthScenario({ queue: fifo, dlq: { fifo: true, maxMessageSizeBytes: 262_144 } });

    // Act / Assert
    expect(synth).toThrow(
      new RegExp(
        `dead-letter queue Guarded/Dlq/Resource accepts messages of up to 262144 bytes, below the 262144 bytes ` +
          `Guarded/Queue/Resource accepts \\+ ${DLQ_ATTRIBUTE_HEADROOM_BYTES} bytes`,
      ),
    );
  });

  it('fails synth when the source sets a maximum size and the DLQ leaves it to the SQS default', () => {
    // Arrange
    const synth = synthScenario({ queue: fifo, dlq: { fifo: true } });

    // Act / Assert
    expect(synth).toThrow(
      /dead-letter queue Guarded\/Dlq\/Resource accepts messages of up to the SQS default/,
    );
  });

  it('passes when the DLQ takes the largest message plus the headroom', () => {
    // Arrange
    const maxMessageSizeBytes = 262_144 + DLQ_ATTRIBUTE_HEADROOM_BYTES;
    const synth = synthScenario({ queue: fifo, dlq: { fifo: true, maxMessageSizeBytes } });

    // Act / Assert
    expect(synth).not.toThrow();
  });
});

describe('Guardrails: partial batch responses', () => {
  it('fails synth when an SQS event source does not report batch item failures', () => {
    // Arrange
    const synth = synthScenario({
      queue: { visibilityTimeout: Duration.seconds(180) },
      source: { reportBatchItemFailures: false },
    });

    // Act / Assert
    expect(synth).toThrow(/SQS event source mapping .* lacks ReportBatchItemFailures/);
  });

  it('passes when the event source reports batch item failures', () => {
    // Arrange
    const synth = synthScenario({
      queue: { visibilityTimeout: Duration.seconds(180) },
      source: { reportBatchItemFailures: true },
    });

    // Act / Assert
    expect(synth).not.toThrow();
  });
});

describe('Guardrails: saga task timeouts', () => {
  /** A guarded stack whose one-task state machine invokes a function through a substitution. */
  const synthMachine = (functionTimeout: Duration, taskTimeoutSeconds: number | undefined) => {
    const app = new App();
    const stack = new Stack(app, 'Saga');
    const fn = new LambdaFunction(stack, 'Step', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({});'),
      timeout: functionTimeout,
    });
    const definition = {
      StartAt: 'Step',
      States: {
        Step: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL definition substitution, not a template
          Parameters: { FunctionName: '${StepFunctionArn}', 'Payload.$': '$' },
          ...(taskTimeoutSeconds === undefined ? {} : { TimeoutSeconds: taskTimeoutSeconds }),
          End: true,
        },
      },
    };
    new StateMachine(stack, 'Machine', {
      definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: { StepFunctionArn: fn.functionArn },
    });
    Aspects.of(app).add(new Guardrails());
    return () => app.synth();
  };

  it('fails synth when a task may time out before its function does', () => {
    // Arrange: the function may run 30 s, the task waits 30 s
    const synth = synthMachine(Duration.seconds(30), 30);

    // Act / Assert
    expect(synth).toThrow(
      /task Step of .* times out after 30 s, but its function .* may run 30 s: give the task at least 35 s/,
    );
  });

  it('fails synth when a task has no timeout at all', () => {
    // Arrange
    const synth = synthMachine(Duration.seconds(10), undefined);

    // Act / Assert
    expect(synth).toThrow(/task Step of .* times out after no s/);
  });

  it('passes when the task outlasts its function by the margin', () => {
    // Arrange
    const synth = synthMachine(Duration.seconds(30), 30 + TASK_TIMEOUT_MARGIN_S);

    // Act / Assert
    expect(synth).not.toThrow();
  });

  it('holds for the order saga as the stack builds it', () => {
    // Act / Assert: buildApp validates on synth; the saga's tasks outlast the steps' functions
    expect(() => buildApp().app.synth()).not.toThrow();
  });
});
