import { matchesPattern } from '../../../local/triggers/event-pattern';

const statusChange = (status: string) => ({
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { status, stateMachineArn: 'arn:sm', name: 'ord-1' },
});

const rule = {
  source: ['aws.states'],
  'detail-type': ['Step Functions Execution Status Change'],
  detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: ['arn:sm'] },
};

describe('matchesPattern', () => {
  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('matches an execution that ended %s', (status) => {
    expect(matchesPattern(rule, statusChange(status))).toBe(true);
  });

  it.each(['RUNNING', 'SUCCEEDED'])('ignores an execution that is %s', (status) => {
    expect(matchesPattern(rule, statusChange(status))).toBe(false);
  });

  it('ignores another state machine', () => {
    // Arrange
    const event = { ...statusChange('FAILED'), detail: { status: 'FAILED', stateMachineArn: 'arn:other' } };

    // Act / Assert
    expect(matchesPattern(rule, event)).toBe(false);
  });

  it('supports prefix, anything-but, exists and numeric matching', () => {
    // Arrange
    const event = { detail: { name: 'ord-7', status: 'FAILED', attempts: 3 } };

    // Act / Assert
    expect(matchesPattern({ detail: { name: [{ prefix: 'ord-' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': ['FAILED'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { error: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { error: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { attempts: [{ numeric: ['>', 2, '<=', 3] }] } }, event)).toBe(true);
  });
});
