import * as sagaErrors from '#shared/errors/saga';
import { type StateMachine, worstCaseSeconds } from '../../../lib/saga-retry-budget';
import {
  LAMBDA_INVOKE_ARN,
  loadSagaDefinition,
  placeholdersOf,
  readSagaAsl,
  SAGA_LAMBDA_INVOKE_KEY,
  SAGA_SUBSTITUTION_KEYS,
  sagaTaskStates,
  validateAsl,
} from '../../helpers/saga-asl';

type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
};
type Catcher = { ErrorEquals: string[]; Next: string; ResultPath?: string };
type Task = {
  Type: 'Task';
  Resource: string;
  Parameters: { FunctionName: string; Payload?: unknown; 'Payload.$'?: string };
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
};

/**
 * Infrastructure errors every forward step retries before it compensates: Lambda's service errors
 * (the ones AWS recommends retrying, and throttling), a function that ran out of time or whose
 * sandbox crashed, and a task timeout. Never States.TaskFailed or States.ALL: those match business errors.
 */
const INFRASTRUCTURE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'Runtime.ExitError',
  'States.Timeout',
];
/** Errors no retry can cure: a compensation or outcome record gives up on them at once. */
const NEVER_RETRIED = [
  'InvalidSagaInput',
  'ShipmentContradiction',
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
];
const FORWARD = ['AcceptOrder', 'ReserveInventory', 'ChargePayment', 'CreateShipment', 'ConfirmOrder'];
const COMPENSATING = [
  'CancelShipment',
  'RefundPayment',
  'ReleaseInventory',
  'RecordRejected',
  'RecordCancelled',
];

/** One instance of every error class, so the names checked are the ones the steps really throw. */
const ERROR_SAMPLES: Record<string, () => Error> = {
  OutOfStock: () => new sagaErrors.OutOfStock([{ sku: 'A', requested: 2, available: 1 }]),
  UnknownSku: () => new sagaErrors.UnknownSku(['A']),
  ReservationReleased: () => new sagaErrors.ReservationReleased('o'),
  PaymentDeclined: () => new sagaErrors.PaymentDeclined('m'),
  InsufficientFunds: () => new sagaErrors.InsufficientFunds('m'),
  PaymentGatewayError: () => new sagaErrors.PaymentGatewayError('m'),
  PaymentAlreadyRefunded: () => new sagaErrors.PaymentAlreadyRefunded('o'),
  PaymentVoided: () => new sagaErrors.PaymentVoided('o'),
  PaymentLedgerConflict: () => new sagaErrors.PaymentLedgerConflict('o', 'PENDING'),
  ShippingError: () => new sagaErrors.ShippingError('m'),
  ShipmentCancelled: () => new sagaErrors.ShipmentCancelled('o'),
  ShipmentContradiction: () => new sagaErrors.ShipmentContradiction('o', 'SIM1'),
  CarrierGatewayError: () => new sagaErrors.CarrierGatewayError('m'),
  TransientStoreError: () => new sagaErrors.TransientStoreError('m'),
  OrderStatusConflict: () => new sagaErrors.OrderStatusConflict('o', 'CANCELLED', 'COMPLETED'),
  SagaAlreadyStarted: () => new sagaErrors.SagaAlreadyStarted('o', 'arn'),
  InvalidSagaInput: () => new sagaErrors.InvalidSagaInput('m'),
};
const errors = Object.values(ERROR_SAMPLES).map((make) => make() as sagaErrors.PaymentGatewayError);
const errorNames = new Set(errors.map((error) => error.name));
const transientNames = new Set(errors.filter((error) => !error.permanent).map((error) => error.name));

const definition = loadSagaDefinition();
const states = definition.States as unknown as Record<string, { Type: string }>;
const tasks = sagaTaskStates<Task>(definition);
const taskNamed = (name: string): Task => {
  const task = tasks.find(([taskName]) => taskName === name)?.[1];
  if (!task) throw new Error(`no task ${name}`);
  return task;
};

describe('order saga state machine', () => {
  it('is valid ASL once its placeholders are substituted', () => {
    // Act
    const { isValid, errorsText } = validateAsl(definition);

    // Assert
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  it('uses exactly the agreed definition substitution keys', () => {
    // Act
    const placeholders = placeholdersOf(readSagaAsl());

    // Assert
    expect([...placeholders].sort()).toEqual([...SAGA_SUBSTITUTION_KEYS].sort());
  });

  it('invokes every task through the substituted lambda:invoke integration, with a substituted function and a payload', () => {
    // Assert
    const raw = JSON.parse(readSagaAsl()) as { States: Record<string, Task> };
    for (const [name, task] of sagaTaskStates<Task>(raw)) {
      expect({ name, resource: task.Resource }).toEqual({ name, resource: `\${${SAGA_LAMBDA_INVOKE_KEY}}` });
      expect(taskNamed(name).Resource).toBe(LAMBDA_INVOKE_ARN);
      expect(task.Parameters.FunctionName).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
      expect(task.Parameters['Payload.$'] ?? task.Parameters.Payload).toBeDefined();
    }
  });

  it('bounds the execution and every task with a timeout', () => {
    // Assert
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    for (const [name, task] of tasks) {
      expect({
        name,
        timeout: Number.isInteger(task.TimeoutSeconds) && (task.TimeoutSeconds ?? 0) > 0,
      }).toEqual({
        name,
        timeout: true,
      });
    }
  });

  it('retries forward steps on every infrastructure error and otherwise only on transient errors', () => {
    // Assert
    const allowed = new Set([...INFRASTRUCTURE, ...transientNames]);
    for (const name of FORWARD) {
      const retriers = taskNamed(name).Retry ?? [];
      const names = retriers.flatMap((retrier) => retrier.ErrorEquals);
      expect({ name, missing: INFRASTRUCTURE.filter((error) => !names.includes(error)) }).toEqual({
        name,
        missing: [],
      });
      expect({ name, store: names.includes('TransientStoreError') }).toEqual({ name, store: true });
      expect({ name, notTransient: names.filter((error) => !allowed.has(error)) }).toEqual({
        name,
        notTransient: [],
      });
    }
  });

  it('retries the flaky gateways of the steps that call them', () => {
    // Assert
    const names = (task: string) => (taskNamed(task).Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);

    expect(names('ChargePayment')).toContain('PaymentGatewayError');
    expect(names('CreateShipment')).toContain('CarrierGatewayError');
  });

  it('never retries, in a compensation or an outcome record, an error that cannot go away', () => {
    // Assert: the first retrier gives up at once on them; States.ALL only comes after it
    for (const name of COMPENSATING) {
      const [first] = taskNamed(name).Retry ?? [];
      expect({ name, first }).toEqual({ name, first: { ErrorEquals: NEVER_RETRIED, MaxAttempts: 0 } });
    }
  });

  it('retries compensations and outcome records on any error, many times with backoff', () => {
    // Assert
    for (const name of COMPENSATING) {
      const retrier = taskNamed(name).Retry?.find((candidate) =>
        candidate.ErrorEquals.includes('States.ALL'),
      );
      expect({
        name,
        maxAttempts: (retrier?.MaxAttempts ?? 0) >= 6,
        backoff: (retrier?.BackoffRate ?? 0) >= 2,
      }).toEqual({
        name,
        maxAttempts: true,
        backoff: true,
      });
    }
  });

  it('fits the worst case of every retry budget on the longest path inside the execution timeout', () => {
    // Act: every retrier's attempts each running to the task timeout, plus each backoff (lib/saga-retry-budget)
    const worstSeconds = worstCaseSeconds(definition as unknown as StateMachine);

    // Assert: retries are billed as transitions and must end before the execution times out
    expect(worstSeconds).toBeLessThanOrEqual(definition.TimeoutSeconds ?? 0);
  });

  it('gives every retrier a backoff, full jitter and a delay cap', () => {
    // Assert
    // asl-validator 4 does not check JitterStrategy or MaxDelaySeconds: the test does.
    for (const [name, task] of tasks) {
      for (const retrier of (task.Retry ?? []).filter((candidate) => candidate.MaxAttempts !== 0)) {
        expect({
          name,
          interval: (retrier.IntervalSeconds ?? 0) >= 1,
          attempts: (retrier.MaxAttempts ?? 0) >= 1,
          backoff: (retrier.BackoffRate ?? 0) >= 1,
          jitter: retrier.JitterStrategy,
          cap: Number.isInteger(retrier.MaxDelaySeconds) && (retrier.MaxDelaySeconds ?? 0) >= 1,
        }).toEqual({ name, interval: true, attempts: true, backoff: true, jitter: 'FULL', cap: true });
      }
    }
  });

  it('ends every Catch of a step that compensates with States.ALL alone, into a state of the machine', () => {
    // Assert: AcceptOrder catches only refused inputs; anything else fails the execution there, with
    // nothing to compensate, for the execution-ended rule and a redrive
    expect(taskNamed('AcceptOrder').Catch).toEqual([
      {
        ErrorEquals: ['InvalidSagaInput', 'ConflictingDuplicate', 'SagaAlreadyStarted'],
        Next: 'InputRefused',
      },
    ]);
    expect(states.InputRefused).toMatchObject({ Type: 'Fail', Error: 'SagaInputRefused' });
    for (const name of ['ReserveInventory', 'ChargePayment', 'CreateShipment']) {
      const catchers = taskNamed(name).Catch ?? [];
      expect({ name, last: catchers.at(-1)?.ErrorEquals }).toEqual({ name, last: ['States.ALL'] });
      const elsewhere = catchers.slice(0, -1).filter((catcher) => catcher.ErrorEquals.includes('States.ALL'));
      expect({ name, elsewhere }).toEqual({ name, elsewhere: [] });
      for (const catcher of catchers) expect(Object.keys(states)).toContain(catcher.Next);
    }
  });

  it('catches nothing after the retries of a compensation, ConfirmOrder or an outcome record: the execution fails at that step, where a redrive resumes', () => {
    // Assert
    for (const name of [...COMPENSATING, 'ConfirmOrder']) {
      expect({ name, catch: taskNamed(name).Catch }).toEqual({ name, catch: undefined });
    }
    expect(Object.values(states).filter((state) => state.Type === 'Fail')).toEqual([
      expect.objectContaining({ Error: 'SagaInputRefused' }),
    ]);
  });

  it('gives back the money and the stock in separate branches once the shipment is cancelled, with no catch-all around them', () => {
    // Assert: a refund stuck at the provider fails only its own branch; the release is not held back
    const giveBack = states.GiveBack as {
      Type: string;
      Branches: { StartAt: string; States: Record<string, unknown> }[];
      Catch?: unknown;
      Retry?: unknown;
    };
    expect(giveBack.Type).toBe('Parallel');
    expect(giveBack.Branches.map((branch) => Object.keys(branch.States))).toEqual([
      ['RefundPayment'],
      ['ReleaseInventory'],
    ]);
    expect(giveBack.Catch).toBeUndefined();
    expect(giveBack.Retry).toBeUndefined();
    expect(states.CancelShipment).toMatchObject({ Next: 'GiveBack' });
    expect(taskNamed('CreateShipment').Catch?.at(-1)).toMatchObject({ Next: 'CancelShipment' });
    expect(taskNamed('ChargePayment').Catch?.at(-1)).toMatchObject({ Next: 'GiveBack' });
  });

  it('keeps the state when catching: every Catch after AcceptOrder writes the error under its own key', () => {
    // Assert
    for (const [, task] of tasks.filter(([taskName]) => taskName !== 'AcceptOrder')) {
      for (const catcher of task.Catch ?? []) expect(catcher.ResultPath).toMatch(/^\$\.[A-Za-z]+$/);
    }
  });

  it('names only errors the steps throw, Lambda service errors and States errors', () => {
    // Assert
    const known = new Set([...errorNames, ...INFRASTRUCTURE, ...NEVER_RETRIED, 'ConflictingDuplicate']);
    for (const [name, task] of tasks) {
      const used = [...(task.Retry ?? []), ...(task.Catch ?? [])].flatMap((entry) => entry.ErrorEquals);
      const unknown = used.filter((error) => !known.has(error) && !error.startsWith('States.'));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('lists every saga error class with its literal name', () => {
    // Arrange
    const exportedClasses = Object.entries(sagaErrors)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);

    // Assert
    expect(exportedClasses.sort()).toEqual(Object.keys(ERROR_SAMPLES).sort());
    for (const [className, make] of Object.entries(ERROR_SAMPLES)) expect(make().name).toBe(className);
    expect([...sagaErrors.SAGA_ERROR_NAMES].sort()).toEqual([...errorNames].sort());
  });

  it('reaches every state from the start', () => {
    // Arrange
    const reached = new Set<string>();
    const visit = (name: string): void => {
      if (reached.has(name)) return;
      reached.add(name);
      const state = states[name] as {
        Next?: string;
        Default?: string;
        Choices?: { Next: string }[];
        Catch?: Catcher[];
      };
      for (const next of [
        state.Next,
        state.Default,
        ...(state.Choices ?? []).map((choice) => choice.Next),
        ...(state.Catch ?? []).map((catcher) => catcher.Next),
      ]) {
        if (next) visit(next);
      }
    };

    // Act
    visit(definition.StartAt);

    // Assert
    expect([...reached].sort()).toEqual(Object.keys(states).sort());
  });
});
