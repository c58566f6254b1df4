/**
 * The order-repair state machine's definition, built from the saga's own ASL: the same
 * ConfirmOrder, CancelShipment, GiveBack (RefundPayment ‖ ReleaseInventory) and RecordCancelled
 * states, with the same retries and task functions, behind Choice states that skip what is not owed.
 *
 * Why a second machine rather than a branch of the saga: a repair is needed only for an execution
 * that cannot be redriven (it started on a definition whose compensations ended in a Fail state,
 * it stopped more than 14 days ago, its history reached the 25,000-event limit, or it was deleted
 * 90 days after it closed). A separate machine costs normal
 * orders no state transition and leaves the saga's definition alone.
 *
 * `orderflow repair` decides what is owed from the records (payment ledger, the provider's books,
 * the reservation, the shipment) and passes it as `$.repair.owed`. Each compensation is idempotent
 * by orderId (a refund of a REFUNDED payment answers ALREADY_REFUNDED, a release of a RELEASED
 * reservation ALREADY_RELEASED, a cancellation of a cancelled parcel changes nothing), so an owed
 * step the records got wrong gives nothing back twice; the Choice states only keep the history to
 * what a person would do. Like the saga, nothing catches a compensation's final failure: the repair
 * execution fails at the owed step, and `orderflow repair` redrives it.
 */

/** What `orderflow repair` decided is still owed, the repair execution's `$.repair.owed`. */
export interface RepairOwed {
  /** Only ConfirmOrder: the order is paid, reserved and shipped; its saga failed to confirm it. */
  readonly confirm: boolean;
  readonly cancelShipment: boolean;
  readonly refund: boolean;
  readonly release: boolean;
}

type Json = Record<string, unknown>;

/** ConfirmOrder and RecordCancelled end the saga (no Succeed state after them), so they end a repair too. */
const REPAIR_STATES = ['ConfirmOrder', 'CancelShipment', 'GiveBack', 'RecordCancelled'];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A branch whose first Task runs only when `$.repair.owed.<flag>` is true; otherwise a Pass says so. */
const guardBranch = (branch: Json, flag: keyof RepairOwed): Json => {
  const states = isObject(branch.States) ? branch.States : {};
  const start = String(branch.StartAt);
  const task = states[start];
  if (!isObject(task)) throw new Error(`repair definition: branch state ${start} is missing`);
  const choice = `${start}Owed`;
  const skip = `${start}NotOwed`;
  return {
    StartAt: choice,
    States: {
      [choice]: {
        Type: 'Choice',
        Comment: `Runs ${start} only when orderflow repair found it owed.`,
        Choices: [{ Variable: `$.repair.owed.${flag}`, BooleanEquals: true, Next: start }],
        Default: skip,
      },
      [skip]: { Type: 'Pass', Result: { outcome: 'NOT_OWED' }, End: true },
      ...states,
    },
  };
};

/**
 * The repair machine's ASL text from the saga's: its placeholders (`${...FunctionArn}`,
 * `${LambdaInvokeArn}`) stay, so the construct substitutes the same task functions.
 */
export const repairDefinition = (sagaDefinition: string): string => {
  const saga = JSON.parse(sagaDefinition) as Json;
  const states = isObject(saga.States) ? saga.States : {};
  const copied: Json = {};
  for (const name of REPAIR_STATES) {
    const state = states[name];
    if (!isObject(state)) throw new Error(`repair definition: the saga has no state ${name}`);
    copied[name] = structuredClone(state);
  }
  const giveBack = copied.GiveBack as Json;
  const branches = Array.isArray(giveBack.Branches) ? (giveBack.Branches as Json[]) : [];
  const [refund, release] = branches;
  if (!refund || !release || refund.StartAt !== 'RefundPayment' || release.StartAt !== 'ReleaseInventory') {
    throw new Error(
      'repair definition: GiveBack must run RefundPayment and ReleaseInventory in two branches',
    );
  }
  giveBack.Branches = [guardBranch(refund, 'refund'), guardBranch(release, 'release')];
  return JSON.stringify(
    {
      Comment:
        'orderflow order repair: for an order whose saga execution cannot be redriven, runs the steps orderflow repair found owed (from the ledger, the provider, the reservation and the shipment), with the saga’s own states. Each is idempotent by orderId. Like the saga, a step that fails for good fails the execution at that step, and a redrive runs it again.',
      StartAt: 'Owed',
      TimeoutSeconds: saga.TimeoutSeconds,
      States: {
        Owed: {
          Type: 'Choice',
          Comment:
            'ConfirmOrder when the order is paid, reserved and shipped and only its confirmation failed; otherwise the compensations, the shipment first when one is live.',
          Choices: [
            { Variable: '$.repair.owed.confirm', BooleanEquals: true, Next: 'ConfirmOrder' },
            { Variable: '$.repair.owed.cancelShipment', BooleanEquals: true, Next: 'CancelShipment' },
          ],
          Default: 'GiveBack',
        },
        ...copied,
      },
    },
    null,
    2,
  );
};
