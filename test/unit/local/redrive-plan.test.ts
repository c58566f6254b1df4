import { RESUME_STATE_PREFIX, resumeDefinition, StateLedger } from '../../../local/sfn/redrive-plan';

const machine = {
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Next: 'P' },
    P: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'B1', States: { B1: { Type: 'Pass', Next: 'B2' }, B2: { Type: 'Pass', End: true } } },
        { StartAt: 'C1', States: { C1: { Type: 'Pass', End: true } } },
      ],
      Next: 'D',
    },
    D: { Type: 'Pass', End: true },
  },
};

describe('resumeDefinition (the local RedriveExecution)', () => {
  it('starts at the state that never exited, with its recorded input, and keeps what succeeded', () => {
    // Arrange: A exited; in P, the first branch failed in B2, the second succeeded
    const ledger = new StateLedger();
    ledger.entered('A', { n: 0 });
    ledger.exited('A', { n: 1 });
    ledger.entered('P', { n: 1 });
    ledger.entered('B1', { n: 1 });
    ledger.exited('B1', { n: 2 });
    ledger.entered('B2', { n: 2 });
    ledger.entered('C1', { n: 1 });
    ledger.exited('C1', { c: 'done' });

    // Act
    const resumed = resumeDefinition(machine, ledger) as {
      StartAt: string;
      States: Record<string, { Type: string; Result?: unknown; Next?: string; Branches?: unknown[] }>;
    };

    // Assert
    const entry = resumed.States[resumed.StartAt];
    expect(entry).toEqual({ Type: 'Pass', Result: { n: 1 }, Next: 'P' });
    const [failed, succeeded] = (resumed.States.P?.Branches ?? []) as {
      StartAt: string;
      States: Record<string, unknown>;
    }[];
    expect(failed?.States[failed.StartAt]).toEqual({ Type: 'Pass', Result: { n: 2 }, Next: 'B2' });
    expect(succeeded?.StartAt.startsWith(RESUME_STATE_PREFIX)).toBe(true);
    expect(succeeded?.States[succeeded.StartAt]).toEqual({ Type: 'Pass', Result: { c: 'done' }, End: true });
    expect(resumed.States.A).toEqual(machine.States.A);
  });

  it('runs the machine as it is when every state exited', () => {
    // Arrange
    const ledger = new StateLedger();
    ledger.entered('A', {});
    ledger.exited('A', {});

    // Act / Assert
    expect(resumeDefinition(machine, ledger)).toBe(machine);
  });
});
