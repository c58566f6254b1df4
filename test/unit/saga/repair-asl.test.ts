import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { repairDefinition } from '../../../lib/constructs/order-repair';
import { dummyFunctionArn, LAMBDA_INVOKE_ARN, readSagaAsl, validateAsl } from '../../helpers/saga-asl';

type Json = Record<string, unknown>;

const substitute = (text: string): Json =>
  JSON.parse(
    text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_placeholder, key: string) =>
      key === 'LambdaInvokeArn' ? LAMBDA_INVOKE_ARN : dummyFunctionArn(key),
    ),
  ) as Json;

const saga = substitute(readSagaAsl());
const repair = substitute(repairDefinition(readSagaAsl()));
const states = (definition: Json) => definition.States as Record<string, Json>;

/** Runs the repair machine with each task answering as its function would, and lists the tasks run. */
const runRepair = async (owed: Record<string, boolean>) => {
  const ran: string[] = [];
  type Answer = { readonly [key: string]: string | number | boolean | null | string[] };
  const answer = (name: string, result: Answer) => async (_input: unknown) => {
    ran.push(name);
    return { Payload: result };
  };
  const machine = new StateMachine(structuredClone(repair) as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const output = (await machine.run(
    { order: { orderId: 'o1' }, correlationId: 'c', repair: { owed } },
    {
      context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:repair:o1-repair-1' } },
      overrides: {
        taskResourceLocalHandlers: {
          ConfirmOrder: answer('ConfirmOrder', { status: 'COMPLETED', notified: true }),
          CancelShipment: answer('CancelShipment', { outcome: 'CANCELLED', trackingId: 'T1' }),
          RefundPayment: answer('RefundPayment', { outcome: 'REFUNDED', refundId: 'r1', amountCents: 5 }),
          ReleaseInventory: answer('ReleaseInventory', { outcome: 'RELEASED', lines: [] }),
          RecordCancelled: answer('RecordCancelled', { status: 'CANCELLED', reason: 'r', changed: true }),
        },
      },
    },
  ).result) as Json;
  return { ran: ran.sort(), output };
};

describe('the order-repair definition', () => {
  it('is valid ASL', () => {
    // Act
    const validation = validateAsl(structuredClone(repair));

    // Assert
    expect(validation.errorsText('\n')).toBe('');
    expect(validation.isValid).toBe(true);
  });

  it('takes the saga’s own confirmation, compensations and outcome states, retries and all', () => {
    // Assert
    for (const name of ['ConfirmOrder', 'CancelShipment', 'RecordCancelled']) {
      expect(states(repair)[name]).toEqual(states(saga)[name]);
    }
    const branchTask = (definition: Json, task: string) =>
      ((states(definition).GiveBack?.Branches as Json[]) ?? [])
        .map((branch) => (branch.States as Record<string, Json>)[task])
        .find(Boolean);
    expect(branchTask(repair, 'RefundPayment')).toEqual(branchTask(saga, 'RefundPayment'));
    expect(branchTask(repair, 'ReleaseInventory')).toEqual(branchTask(saga, 'ReleaseInventory'));
  });

  it('runs only the steps found owed', async () => {
    // Act
    const refundOnly = await runRepair({
      confirm: false,
      cancelShipment: false,
      refund: true,
      release: false,
    });
    const all = await runRepair({ confirm: false, cancelShipment: true, refund: true, release: true });
    const confirm = await runRepair({ confirm: true, cancelShipment: false, refund: false, release: false });

    // Assert
    expect(refundOnly.ran).toEqual(['RecordCancelled', 'RefundPayment']);
    expect(refundOnly.output.compensation).toEqual({
      refund: { outcome: 'REFUNDED', refundId: 'r1', amountCents: 5 },
      release: { outcome: 'NOT_OWED' },
    });
    expect(all.ran).toEqual(['CancelShipment', 'RecordCancelled', 'RefundPayment', 'ReleaseInventory']);
    expect(confirm.ran).toEqual(['ConfirmOrder']);
  });
});
