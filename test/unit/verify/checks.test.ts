import { deadLetterClass, findViolations } from '../../../cli/verify/checks';
import type { OrderItem, VerifySnapshot } from '../../../cli/verify/snapshot';

const ARN = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:saga:${name}`;

/** One completed order, read back from everywhere the checker looks, with every guarantee holding. */
const healthy = (): VerifySnapshot => ({
  files: [
    {
      key: 'incoming/a.jsonl',
      records: [
        { line: 1, valid: true, orderId: 'o1', contentHash: 'h1', totalCents: 500 },
        { line: 2, valid: false, reasons: ['totalCents: wrong'] },
      ],
      report: {
        rejects: [{ line: 2, reasons: ['totalCents: wrong'] }],
        summary: {
          recordsRead: 2,
          accepted: 1,
          rejected: 1,
          bytesRead: 10,
          sourceBucket: 'b',
          sourceKey: 'incoming/a.jsonl',
          versionId: null,
          format: 'jsonl',
          complete: true,
          reportKey: 'rejected/incoming/a.jsonl.errors.jsonl',
        },
      },
    },
  ],
  orders: [
    {
      orderId: 'o1',
      status: 'COMPLETED',
      contentHash: 'h1',
      totalCents: 500,
      sagaExecutionArn: ARN('o1'),
      trackingId: 'SIM1',
    },
  ],
  deadLetters: [],
  deadLetterCount: 0,
  ordersQueueDepth: 0,
  ingestFailures: 0,
  executions: [{ executionArn: ARN('o1'), name: 'o1', status: 'SUCCEEDED', orderId: 'o1' }],
  payments: [
    {
      orderId: 'o1',
      amountCents: 500,
      currency: 'EUR',
      status: 'CHARGED',
      attempts: 1,
      refundAttempts: 0,
      chargeId: 'ch_o1',
      updatedAt: 't',
    },
  ],
  paymentBooks: [{ key: 'o1', charge: { chargeId: 'ch_o1', amountCents: 500, currency: 'EUR' } }],
  shipmentBooks: [{ key: 'o1', shipment: { trackingId: 'SIM1', carrier: 'simulated-post' } }],
  stock: [{ sku: 'A', available: 8, seeded: 10 }],
  reservations: [{ orderId: 'o1', lines: [{ sku: 'A', quantity: 2 }], status: 'RESERVED', reservedAt: 't' }],
  attentionMetric: new Set(),
});

const withOrder = (snapshot: VerifySnapshot, changes: Partial<OrderItem>): VerifySnapshot => ({
  ...snapshot,
  orders: snapshot.orders.map((order) => ({ ...order, ...changes })),
});

describe('findViolations', () => {
  it('finds nothing wrong when every record, order, cent and unit of stock is accounted for', () => {
    // Act / Assert
    expect(findViolations(healthy())).toEqual([]);
  });

  it('flags a valid order the rejects report lists as rejected', () => {
    // Arrange: an SQS blip once turned a valid order into a "rejected record"
    const snapshot = healthy();
    const [file] = snapshot.files;
    if (!file?.report?.summary) throw new Error('fixture');
    const broken = {
      ...snapshot,
      files: [
        {
          ...file,
          report: {
            rejects: [...file.report.rejects, { line: 1, reasons: ['could not enqueue: InternalError'] }],
            summary: { ...file.report.summary, accepted: 0, rejected: 2 },
          },
        },
      ],
    };

    // Act
    const violations = findViolations(broken);

    // Assert
    expect(violations).toContainEqual({
      area: 'record',
      subject: 'incoming/a.jsonl',
      detail: expect.stringContaining('a valid order (o1) is reported as rejected'),
    });
  });

  it('flags a valid record that became neither an order nor a dead letter', () => {
    // Act
    const violations = findViolations({ ...healthy(), orders: [] });

    // Assert
    expect(violations).toContainEqual({
      area: 'record',
      subject: 'incoming/a.jsonl',
      detail: 'line 1: valid order o1 is neither an order nor a message in the DLQ',
    });
  });

  it('accepts a conflicting version in the DLQ with its reason', () => {
    // Arrange: the order holds other content; this line's version went to the DLQ
    const snapshot = {
      ...withOrder(healthy(), { contentHash: 'h-other' }),
      deadLetters: [
        { groupId: 'o1', contentHash: 'h1', errorType: 'ConflictingDuplicate', errorReason: 'x' },
      ],
      deadLetterCount: 1,
    };

    // Act
    const violations = findViolations(snapshot).filter((v) => v.area === 'record');

    // Assert
    expect(violations).toEqual([]);
  });

  it('flags an invalid record missing from the report, and a report whose counts do not add up', () => {
    // Arrange
    const snapshot = healthy();
    const [file] = snapshot.files;
    if (!file?.report?.summary) throw new Error('fixture');
    const broken = {
      ...snapshot,
      files: [{ ...file, report: { rejects: [], summary: { ...file.report.summary, rejected: 0 } } }],
    };

    // Act
    const details = findViolations(broken).map((v) => v.detail);

    // Assert
    expect(details).toContainEqual(
      expect.stringContaining('line 2: an invalid record is missing from the rejects report'),
    );
    expect(details).toContainEqual('accepted 1 + rejected 0 ≠ recordsRead 2');
  });

  it('flags an order left in flight and a cancellation without a reason', () => {
    // Act
    const inFlight = findViolations(withOrder(healthy(), { status: 'CHARGED' }));
    const unexplained = findViolations(withOrder(healthy(), { status: 'CANCELLED' }));

    // Assert
    expect(inFlight).toContainEqual({
      area: 'order',
      subject: 'o1',
      detail: 'left in flight: status CHARGED',
    });
    expect(unexplained).toContainEqual({
      area: 'order',
      subject: 'o1',
      detail: 'CANCELLED without a reason',
    });
  });

  it('flags money the provider holds for a cancelled order, and a completed order charged short', () => {
    // Act
    const cancelled = findViolations(
      withOrder(healthy(), { status: 'CANCELLED', statusReason: 'ShippingError' }),
    );
    const short = findViolations(withOrder(healthy(), { totalCents: 600 }));

    // Assert
    expect(cancelled).toContainEqual({
      area: 'money',
      subject: 'o1',
      detail: 'CANCELLED: the provider holds 500 cents, expected 0',
    });
    expect(short).toContainEqual({
      area: 'money',
      subject: 'o1',
      detail: 'COMPLETED: the provider holds 500 cents, expected 600',
    });
  });

  it('expects of an order needing attention exactly what its payment record says is still charged', () => {
    // Arrange: the refund failed for good; the ledger still says CHARGED, the provider holds the money
    const snapshot = {
      ...withOrder(healthy(), { status: 'NEEDS_ATTENTION', statusReason: 'RefundPayment failed' }),
      attentionMetric: new Set(['o1']),
    };

    // Act / Assert
    expect(findViolations(snapshot).filter((v) => v.area === 'money')).toEqual([]);
  });

  it('flags stock that is not conserved, and a cancelled order still holding a reservation', () => {
    // Act
    const lost = findViolations({ ...healthy(), stock: [{ sku: 'A', available: 7, seeded: 10 }] });
    const held = findViolations(withOrder(healthy(), { status: 'REJECTED', statusReason: 'OutOfStock' }));

    // Assert
    expect(lost).toContainEqual({
      area: 'stock',
      subject: 'A',
      detail: 'seeded 10 ≠ available 7 + held by completed and attention orders 2',
    });
    expect(held).toContainEqual({
      area: 'stock',
      subject: 'o1',
      detail: 'holds a reservation though the order is REJECTED',
    });
  });

  it('flags a second saga for an order that was not refused at its start', () => {
    // Arrange
    const snapshot = healthy();
    const second = {
      ...snapshot,
      executions: [
        ...snapshot.executions,
        { executionArn: ARN('again'), name: 'again', status: 'SUCCEEDED', orderId: 'o1' },
      ],
    };
    const refused = {
      ...snapshot,
      executions: [
        ...snapshot.executions,
        {
          executionArn: ARN('again'),
          name: 'again',
          status: 'FAILED',
          error: 'SagaInputRefused',
          orderId: 'o1',
        },
      ],
    };

    // Act / Assert
    expect(findViolations(second)).toContainEqual({
      area: 'execution',
      subject: 'o1',
      detail: 'a second saga execution again (SUCCEEDED) that was not refused at its start',
    });
    expect(findViolations(refused)).toEqual([]);
  });

  it('flags a half-written DLQ reason, a non-empty orders queue and failed ingest events', () => {
    // Act
    const violations = findViolations({
      ...healthy(),
      deadLetters: [{ groupId: 'o9', errorType: 'ConflictingDuplicate' }],
      deadLetterCount: 1,
      ordersQueueDepth: 2,
      ingestFailures: 1,
    });

    // Assert
    expect(violations.map((v) => v.subject)).toEqual(
      expect.arrayContaining(['o9', 'orders.fifo', 'ingest-failures']),
    );
  });

  it('accepts a message SQS moved after maxReceiveCount receives as the order kept, classed by its receive count', () => {
    // Arrange: the file's valid order never became an order; SQS moved it, without our error attributes
    const moved = { groupId: 'o1', contentHash: 'h1', receiveCount: 6 };
    const snapshot: VerifySnapshot = {
      ...healthy(),
      orders: [],
      executions: [],
      payments: [],
      paymentBooks: [],
      shipmentBooks: [],
      reservations: [],
      stock: [{ sku: 'A', available: 10, seeded: 10 }],
      deadLetters: [moved],
      deadLetterCount: 1,
    };

    // Act
    const violations = findViolations(snapshot);

    // Assert
    expect(violations).toEqual([]);
    expect(deadLetterClass(moved)).toBe('in DLQ after 6 receives');
    expect(deadLetterClass({ ...moved, errorType: 'ConflictingDuplicate', errorReason: 'x' })).toBe(
      'ConflictingDuplicate',
    );
  });

  describe('an order settled by a repair execution', () => {
    const REPAIR = 'arn:aws:states:us-east-1:000000000000:execution:repair:o1-repair-1';
    /** o1's saga FAILED with the refund owed; its linked repair refunded it: CANCELLED, nothing held. */
    const repaired = (repairStatus: string): VerifySnapshot => ({
      ...withOrder(healthy(), {
        status: 'CANCELLED',
        statusReason: 'Repaired: x',
        repairExecutionArn: REPAIR,
      }),
      executions: [
        { executionArn: ARN('o1'), name: 'o1', status: 'FAILED', error: 'States.TaskFailed', orderId: 'o1' },
      ],
      repairExecutions: [{ executionArn: REPAIR, name: 'o1-repair-1', status: repairStatus, orderId: 'o1' }],
      payments: [],
      paymentBooks: [
        {
          key: 'o1',
          charge: { chargeId: 'ch_o1', amountCents: 500, currency: 'EUR' },
          refund: { refundId: 'rf_o1', amountCents: 500 },
        },
      ],
      shipmentBooks: [],
      reservations: [],
      stock: [{ sku: 'A', available: 10, seeded: 10 }],
    });

    it('accepts it when the linked repair SUCCEEDED and the end state is consistent', () => {
      // Act / Assert
      expect(findViolations(repaired('SUCCEEDED'))).toEqual([]);
    });

    it('flags it when the linked repair did not succeed, is missing, or money is still held', () => {
      // Act
      const failed = findViolations(repaired('FAILED'));
      const missing = findViolations({ ...repaired('SUCCEEDED'), repairExecutions: [] });
      const held = findViolations({
        ...repaired('SUCCEEDED'),
        paymentBooks: [{ key: 'o1', charge: { chargeId: 'ch_o1', amountCents: 500, currency: 'EUR' } }],
      });

      // Assert
      expect(failed).toEqual([
        {
          area: 'execution',
          subject: 'o1',
          detail: 'CANCELLED, but its repair execution o1-repair-1 is FAILED',
        },
      ]);
      expect(missing).toEqual([
        {
          area: 'execution',
          subject: 'o1',
          detail: `links the repair execution ${REPAIR}, which does not exist`,
        },
      ]);
      expect(held).toEqual([
        { area: 'money', subject: 'o1', detail: 'CANCELLED: the provider holds 500 cents, expected 0' },
      ]);
    });

    it('accepts a repaired order whose saga execution Step Functions has deleted', () => {
      // Act
      const gone = findViolations({ ...repaired('SUCCEEDED'), executions: [] });
      const notRepaired = findViolations({ ...repaired('FAILED'), executions: [] });

      // Assert
      expect(gone).toEqual([]);
      expect(notRepaired).toContainEqual({
        area: 'execution',
        subject: 'o1',
        detail: `no saga execution (linked: ${ARN('o1')})`,
      });
    });

    it('accepts an earlier repair of the order it replaced, and no other unlinked repair', () => {
      // Arrange: o1 links o1-repair-2; o1-repair-1 failed before it, o1-repair-3 runs beside nobody
      const at = (n: number) => REPAIR.replace(/-1$/, `-${n}`);
      const base = repaired('SUCCEEDED');
      const snapshot: VerifySnapshot = {
        ...base,
        orders: base.orders.map((order) => ({ ...order, repairExecutionArn: at(2) })),
        repairExecutions: [1, 2, 3].map((n) => ({
          executionArn: at(n),
          name: `o1-repair-${n}`,
          status: n === 2 ? 'SUCCEEDED' : 'FAILED',
          orderId: 'o1',
        })),
      };

      // Act
      const violations = findViolations(snapshot);

      // Assert
      expect(violations).toEqual([
        {
          area: 'execution',
          subject: 'o1-repair-3',
          detail: 'a repair execution (FAILED) that no order links',
        },
      ]);
    });

    it('flags a repair execution no order links', () => {
      // Act
      const violations = findViolations({
        ...repaired('SUCCEEDED'),
        orders: [{ ...healthy().orders[0], orderId: 'o1' }],
      });

      // Assert
      expect(violations).toContainEqual({
        area: 'execution',
        subject: 'o1-repair-1',
        detail: 'a repair execution (SUCCEEDED) that no order links',
      });
    });
  });

  it('flags an order needing attention that the alarm metric never counted', () => {
    // Act
    const violations = findViolations(withOrder(healthy(), { status: 'NEEDS_ATTENTION', statusReason: 'x' }));

    // Assert
    expect(violations).toContainEqual({
      area: 'metric',
      subject: 'o1',
      detail: 'NEEDS_ATTENTION but not counted by the OrdersNeedingAttention metric its alarm watches',
    });
  });

  it('flags a completed order whose parcel the carrier does not hold, and a cancelled one with a live parcel', () => {
    // Act
    const missing = findViolations({ ...healthy(), shipmentBooks: [] });
    const live = findViolations(withOrder(healthy(), { status: 'CANCELLED', statusReason: 'x' }));

    // Assert
    expect(missing.map((v) => v.area)).toContain('parcel');
    expect(live).toContainEqual({
      area: 'parcel',
      subject: 'o1',
      detail: 'CANCELLED but a parcel is live at the carrier',
    });
  });
});
