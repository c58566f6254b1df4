import { isJsonObject, type JsonObject } from './definition';

/** Names of the states the endpoint adds to resume a run; never in a user's definition. */
export const RESUME_STATE_PREFIX = 'Local.Redrive.';

export const isResumeState = (name: string): boolean => name.startsWith(RESUME_STATE_PREFIX);

interface StateRun {
  readonly input: unknown;
  readonly exited: boolean;
  readonly output?: unknown;
}

/**
 * What the latest attempt of each state did, from the interpreter's StateEntered/StateExited events:
 * its input, and its output when it exited. A redrive resumes at the states entered and never exited.
 * (State names are unique across Parallel branches: the interpreter keys its overrides by name.)
 */
export class StateLedger {
  readonly #runs = new Map<string, StateRun>();

  entered(name: string, input: unknown): void {
    if (isResumeState(name)) return;
    this.#runs.set(name, { input, exited: false });
  }

  exited(name: string, output: unknown): void {
    if (isResumeState(name)) return;
    const run = this.#runs.get(name);
    this.#runs.set(name, { input: run?.input ?? null, exited: true, output });
  }

  get(name: string): StateRun | undefined {
    return this.#runs.get(name);
  }

  /** Whether any state ran: a run that never entered one (stopped while it waited) resumes at StartAt. */
  get isEmpty(): boolean {
    return this.#runs.size === 0;
  }
}

const statesOf = (machine: JsonObject): Record<string, JsonObject> =>
  Object.fromEntries(
    Object.entries(isJsonObject(machine.States) ? machine.States : {}).filter(
      (entry): entry is [string, JsonObject] => isJsonObject(entry[1]),
    ),
  );

const isTerminal = (state: JsonObject): boolean =>
  state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';

/** The state of this (sub)machine that was entered last and never exited: where the attempt stopped. */
const unfinishedState = (machine: JsonObject, ledger: StateLedger): string | undefined =>
  Object.keys(statesOf(machine)).find((name) => {
    const run = ledger.get(name);
    return run !== undefined && !run.exited;
  });

/** A branch succeeded when one of its terminal states (other than Fail) exited in the latest attempt. */
const branchOutput = (branch: JsonObject, ledger: StateLedger): { readonly output: unknown } | undefined => {
  for (const [name, state] of Object.entries(statesOf(branch))) {
    if (!isTerminal(state) || state.Type === 'Fail') continue;
    const run = ledger.get(name);
    if (run?.exited) return { output: run.output ?? null };
  }
  return undefined;
};

/**
 * A copy of `machine` that resumes where the latest attempt stopped, as RedriveExecution does:
 * it starts at the unsuccessful state with the input that state received (a Pass state in front
 * of it replays the input), and inside a Parallel state only the branches that did not succeed
 * run again, each from its own unsuccessful state; a succeeded branch is replaced by a Pass state
 * returning its recorded output. Successful states are never run again.
 * `prefix` keeps the added states' names unique across nesting levels.
 */
export const resumeDefinition = (machine: JsonObject, ledger: StateLedger, prefix = ''): JsonObject => {
  const states = statesOf(machine);
  const resumeAt = unfinishedState(machine, ledger);
  if (resumeAt === undefined) return machine;
  const at = states[resumeAt];
  const copy: Record<string, JsonObject> = { ...states };
  if (at?.Type === 'Parallel' && Array.isArray(at.Branches)) {
    copy[resumeAt] = {
      ...at,
      Branches: at.Branches.filter(isJsonObject).map((branch, index) => {
        const done = branchOutput(branch, ledger);
        const name = `${RESUME_STATE_PREFIX}${prefix}${resumeAt}.${index}`;
        if (done === undefined) return resumeDefinition(branch, ledger, `${prefix}${resumeAt}.${index}.`);
        return { StartAt: name, States: { [name]: { Type: 'Pass', Result: done.output, End: true } } };
      }),
    };
  }
  const entry = `${RESUME_STATE_PREFIX}${prefix}Resume`;
  copy[entry] = { Type: 'Pass', Result: ledger.get(resumeAt)?.input ?? null, Next: resumeAt };
  return { ...machine, StartAt: entry, States: copy };
};
