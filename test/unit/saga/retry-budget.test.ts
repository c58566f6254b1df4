import { type StateMachine, worstCaseSeconds } from '../../../lib/saga-retry-budget';

describe('worstCaseSeconds', () => {
  it('adds every attempt at the task timeout and every capped backoff along the longest path', () => {
    // Arrange: A retries twice (1 s, then 2 s) at a 10 s timeout: 3 × 10 + 1 + 2 = 33 s. Its catch leads
    // to a Parallel whose longer branch takes 7 s; its Next to a 5 s task. The default retrier
    // (3 attempts from 1 s, backoff 2) capped at 3 s waits 1 + 2 + 3.
    const machine: StateMachine = {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          TimeoutSeconds: 10,
          Retry: [{ IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
          Next: 'Short',
          Catch: [{ Next: 'Both' }],
        },
        Short: { Type: 'Task', TimeoutSeconds: 5 },
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Five', States: { Five: { Type: 'Task', TimeoutSeconds: 5 } } },
            { StartAt: 'Seven', States: { Seven: { Type: 'Task', TimeoutSeconds: 7 } } },
          ],
          Next: 'Capped',
        },
        Capped: { Type: 'Task', TimeoutSeconds: 1, Retry: [{ MaxDelaySeconds: 3 }] },
      },
    };

    // Act / Assert: 33 + 7 + (4 × 1 + 1 + 2 + 3) = 50
    expect(worstCaseSeconds(machine)).toBe(50);
  });

  it('names a state the definition lacks', () => {
    // Arrange
    const machine: StateMachine = { StartAt: 'A', States: { A: { Type: 'Task', Next: 'B' } } };

    // Act / Assert
    expect(() => worstCaseSeconds(machine)).toThrow('the definition has no state B');
  });
});
