import {
  describeStepError,
  executionEndedReason,
  MAX_REASON_LENGTH,
  outcomeReason,
} from '#shared/domain/outcome-reason';
import type { SagaState } from '#shared/domain/saga-state';
import { buildOrder, sagaInput } from '../../helpers/saga-orders';

const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: ['at x'] });

describe('outcome reasons', () => {
  it('reads the message out of a Lambda error cause', () => {
    // Act
    const reason = describeStepError({
      Error: 'OutOfStock',
      Cause: lambdaCause('OutOfStock', 'sku A is out of stock'),
    });

    // Assert
    expect(reason).toBe('OutOfStock: sku A is out of stock');
  });

  it('uses a plain-text cause as it is', () => {
    // Assert
    expect(describeStepError({ Error: 'States.Timeout', Cause: 'task timed out' })).toBe(
      'States.Timeout: task timed out',
    );
    expect(describeStepError({ Error: 'States.Timeout' })).toBe('States.Timeout');
  });

  it('names the failed compensation and what started the compensating', () => {
    // Arrange
    const state: SagaState = {
      ...sagaInput(buildOrder()),
      error: { Error: 'ShippingError', Cause: lambdaCause('ShippingError', 'no delivery to AQ') },
      refundError: {
        Error: 'PaymentGatewayError',
        Cause: lambdaCause('PaymentGatewayError', 'refunds unavailable'),
      },
    };

    // Act
    const reason = outcomeReason({ status: 'NEEDS_ATTENTION', state });

    // Assert
    expect(reason).toBe(
      'RefundPayment failed: PaymentGatewayError: refunds unavailable (compensating ShippingError: no delivery to AQ)',
    );
  });

  it('names a failed shipment cancellation before a failed refund', () => {
    // Arrange
    const state: SagaState = {
      ...sagaInput(buildOrder()),
      error: { Error: 'CarrierGatewayError' },
      cancelShipmentError: {
        Error: 'CarrierGatewayError',
        Cause: lambdaCause('CarrierGatewayError', 'down'),
      },
      refundError: { Error: 'PaymentGatewayError' },
    };

    // Act
    const reason = outcomeReason({ status: 'NEEDS_ATTENTION', state });

    // Assert
    expect(reason).toBe(
      'CancelShipment failed: CarrierGatewayError: down; RefundPayment failed: PaymentGatewayError ' +
        '(compensating CarrierGatewayError)',
    );
  });

  it('bounds long reasons', () => {
    // Arrange
    const state: SagaState = { ...sagaInput(buildOrder()), error: { Error: 'X', Cause: 'y'.repeat(5_000) } };

    // Act
    const reason = outcomeReason({ status: 'CANCELLED', state });

    // Assert
    expect(reason).toHaveLength(MAX_REASON_LENGTH);
  });

  it('describes an execution-level ending', () => {
    // Assert
    expect(executionEndedReason('TIMED_OUT')).toBe('execution TIMED_OUT');
    expect(executionEndedReason('FAILED', 'States.Runtime', 'path $.x not found')).toBe(
      'execution FAILED: States.Runtime (path $.x not found)',
    );
  });
});
