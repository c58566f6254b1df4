import { isLiveParcel, netChargedCents } from '#shared/adapters/provider-books';
import type { PaymentRecord } from '#shared/domain/ports';
import type { DeadLetter, RecordRead, VerifySnapshot } from './snapshot';

/** What a guarantee's breach is about, so an operator can go and look. */
export type ViolationArea =
  | 'file'
  | 'record'
  | 'order'
  | 'queue'
  | 'execution'
  | 'money'
  | 'parcel'
  | 'stock'
  | 'metric';

export interface Violation {
  readonly area: ViolationArea;
  /** The file, orderId, sku or queue it is about. */
  readonly subject: string;
  readonly detail: string;
}

const FINAL = new Set(['COMPLETED', 'CANCELLED', 'REJECTED', 'NEEDS_ATTENTION']);
/** The Fail state AcceptOrder ends in: the execution ran no step for the order. */
const INPUT_REFUSED = 'SagaInputRefused';

/** What the order's own payment record says is still charged (for an order that needs attention). */
const owedByLedger = (payment: PaymentRecord | undefined): number =>
  payment?.status === 'CHARGED' ? payment.amountCents : 0;

const recordAt = (records: readonly RecordRead[], line: number): RecordRead | undefined =>
  records.find((record) => record.line === line);

/**
 * Why a message is in the DLQ: process-order's own dead-lettering always adds errorType and
 * errorReason; a message without them was moved by SQS itself, after maxReceiveCount receives that
 * each failed (a consumer that crashed or timed out every time). Either way the order is kept.
 */
export const deadLetterClass = (letter: DeadLetter): string =>
  letter.errorType && letter.errorReason
    ? letter.errorType
    : `in DLQ after ${letter.receiveCount ?? 'maxReceiveCount'} receives`;

const isExplained = (letter: DeadLetter): boolean =>
  Boolean(letter.errorType && letter.errorReason) || letter.errorType === undefined;

const checkFiles = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const orders = new Map(snapshot.orders.map((order) => [order.orderId, order]));
  const deadByGroup = new Map<string, typeof snapshot.deadLetters>();
  for (const letter of snapshot.deadLetters) {
    const group = letter.groupId ?? '';
    deadByGroup.set(group, [...(deadByGroup.get(group) ?? []), letter]);
  }
  const hiddenDeadLetters = snapshot.deadLetterCount > snapshot.deadLetters.length;
  for (const file of snapshot.files) {
    const add = (area: ViolationArea, detail: string) => violations.push({ area, subject: file.key, detail });
    if (file.report === undefined) {
      add('file', 'no rejects report: the file was not ingested');
      continue;
    }
    const { summary, rejects } = file.report;
    if (summary === undefined) {
      add('file', 'the rejects report has no summary line: ingest did not finish the file');
      continue;
    }
    if (summary.accepted + summary.rejected !== summary.recordsRead) {
      add(
        'file',
        `accepted ${summary.accepted} + rejected ${summary.rejected} ≠ recordsRead ${summary.recordsRead}`,
      );
    }
    const counted = file.records.length + (file.unreadableFrom === undefined ? 0 : 1);
    if (summary.recordsRead !== counted) {
      add('file', `the report says ${summary.recordsRead} records were read, the file holds ${counted}`);
    }
    for (const entry of rejects) {
      if (entry.reasons.length === 0 || entry.reasons.some((reason) => reason.trim() === '')) {
        add('record', `line ${entry.line}: rejected without a reason`);
      }
      if (entry.remainder) continue;
      const lines = entry.lines ?? [entry.line];
      const read = lines.map((line) => recordAt(file.records, line)).find((record) => record !== undefined);
      if (read?.valid) {
        add(
          'record',
          `line ${entry.line}: a valid order (${read.orderId}) is reported as rejected: ${entry.reasons.join('; ')}`,
        );
      }
    }
    for (const record of file.records) {
      if (!record.valid) {
        const reported = rejects.some(
          (entry) => entry.line === record.line || entry.lines?.includes(record.line),
        );
        const inRemainder = rejects.some((entry) => entry.remainder && record.line >= entry.line);
        if (!reported && !inRemainder) {
          add(
            'record',
            `line ${record.line}: an invalid record is missing from the rejects report (${record.reasons.join('; ')})`,
          );
        }
        continue;
      }
      const order = orders.get(record.orderId);
      if (order?.contentHash === record.contentHash) continue;
      const dead = deadByGroup.get(record.orderId) ?? [];
      if (dead.some((letter) => letter.contentHash === record.contentHash && isExplained(letter))) continue;
      if (hiddenDeadLetters && dead.length > 0) continue; // behind another message of its group: cannot be seen
      add(
        'record',
        order === undefined
          ? `line ${record.line}: valid order ${record.orderId} is neither an order nor a message in the DLQ`
          : `line ${record.line}: order ${record.orderId} holds other content, and this version is not in the DLQ with a reason`,
      );
    }
  }
};

const checkOrders = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  for (const order of snapshot.orders) {
    const add = (detail: string) => violations.push({ area: 'order', subject: order.orderId, detail });
    if (order.status === undefined || !FINAL.has(order.status)) {
      add(`left in flight: status ${order.status ?? 'none'}`);
      continue;
    }
    if (order.status !== 'COMPLETED' && !order.statusReason) add(`${order.status} without a reason`);
    if (order.contentHash === undefined)
      add('the order item has no content hash: it was not received as an order');
  }
};

const checkQueues = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  if (snapshot.ordersQueueDepth > 0) {
    violations.push({
      area: 'queue',
      subject: 'orders.fifo',
      detail: `${snapshot.ordersQueueDepth} message(s) still on the queue`,
    });
  }
  if (snapshot.ingestFailures > 0) {
    violations.push({
      area: 'queue',
      subject: 'ingest-failures',
      detail: `${snapshot.ingestFailures} ingest event(s) failed for good: their files were not ingested`,
    });
  }
  for (const letter of snapshot.deadLetters) {
    // An error type without its reason is ours, half written: a message SQS moved carries neither.
    if (letter.errorType && !letter.errorReason) {
      violations.push({
        area: 'queue',
        subject: letter.groupId ?? 'orders-dlq.fifo',
        detail: `a DLQ message with error type ${letter.errorType} but no reason`,
      });
    }
  }
};

const SETTLED = new Set(['COMPLETED', 'CANCELLED', 'REJECTED']);

/** n of an execution ARN ending `:<orderId>-repair-<n>`, or 0. */
const repairIndex = (executionArn: string, orderId: string | undefined): number => {
  const name = executionArn.split(':').at(-1) ?? '';
  const prefix = `${orderId ?? ''}-repair-`;
  return orderId !== undefined && name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))
    ? Number(name.slice(prefix.length))
    : 0;
};

const checkExecutions = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const byOrder = new Map<string, (typeof snapshot.executions)[number][]>();
  for (const execution of snapshot.executions) {
    if (execution.status === 'RUNNING') {
      violations.push({ area: 'execution', subject: execution.name, detail: 'still running' });
    }
    if (execution.orderId === undefined) continue;
    byOrder.set(execution.orderId, [...(byOrder.get(execution.orderId) ?? []), execution]);
  }
  for (const order of snapshot.orders) {
    const add = (detail: string) => violations.push({ area: 'execution', subject: order.orderId, detail });
    const executions = byOrder.get(order.orderId) ?? [];
    const owner = executions.find((execution) =>
      order.sagaExecutionArn === undefined
        ? execution.name === order.orderId
        : execution.executionArn === order.sagaExecutionArn,
    );
    if (owner === undefined) {
      // Step Functions deletes a closed execution 90 days on: a settled order its linked repair
      // settled needs its saga execution no more.
      const repair = snapshot.repairExecutions?.find(
        (execution) => execution.executionArn === order.repairExecutionArn,
      );
      if (repair?.status === 'SUCCEEDED' && order.status !== undefined && SETTLED.has(order.status)) continue;
      add(`no saga execution${order.sagaExecutionArn ? ` (linked: ${order.sagaExecutionArn})` : ''}`);
      continue;
    }
    if (owner.name !== order.orderId && order.correlationId !== `execution:${owner.name}`) {
      add(`its saga ${owner.name} is neither named by the orderId nor linked as a hand start`);
    }
    for (const other of executions.filter((execution) => execution !== owner)) {
      if (other.status !== 'FAILED' || other.error !== INPUT_REFUSED) {
        add(`a second saga execution ${other.name} (${other.status}) that was not refused at its start`);
      }
    }
  }
};

/**
 * Repair executions (`orderflow repair` of a saga execution that could not be redriven): an order
 * links the one it runs now. A settled order whose linked repair SUCCEEDED is accepted whatever its
 * saga execution's ending (FAILED, as a rule); money, parcel and stock are checked as for any order.
 */
const checkRepairs = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const repairs = snapshot.repairExecutions;
  const linked = new Set(snapshot.orders.flatMap((order) => order.repairExecutionArn ?? []));
  for (const order of snapshot.orders) {
    if (order.repairExecutionArn === undefined) continue;
    const add = (detail: string) => violations.push({ area: 'execution', subject: order.orderId, detail });
    const repair = repairs?.find((execution) => execution.executionArn === order.repairExecutionArn);
    if (repair === undefined) {
      add(`links the repair execution ${order.repairExecutionArn}, which does not exist`);
      continue;
    }
    if (repair.orderId !== order.orderId)
      add(`its repair execution ${repair.name} repairs ${repair.orderId}`);
    if (order.status !== undefined && SETTLED.has(order.status) && repair.status !== 'SUCCEEDED') {
      add(`${order.status}, but its repair execution ${repair.name} is ${repair.status}`);
    }
    if (order.status === 'NEEDS_ATTENTION' && repair.status === 'SUCCEEDED') {
      add(`its repair execution ${repair.name} SUCCEEDED, but the order still NEEDS_ATTENTION`);
    }
  }
  for (const repair of repairs ?? []) {
    if (repair.status === 'RUNNING') {
      violations.push({ area: 'execution', subject: repair.name, detail: 'repair still running' });
    }
    const order = snapshot.orders.find((candidate) => candidate.orderId === repair.orderId);
    // An earlier repair of the order (`<orderId>-repair-<n>` with n below the one it links now, of the
    // same machine), replaced by the one it links, is history, not a violation.
    const earlier =
      order?.repairExecutionArn !== undefined &&
      repairIndex(repair.executionArn, repair.orderId) > 0 &&
      repair.executionArn.replace(/[^:]*$/, '') === order.repairExecutionArn.replace(/[^:]*$/, '') &&
      repairIndex(repair.executionArn, repair.orderId) <
        repairIndex(order.repairExecutionArn, repair.orderId);
    if (!linked.has(repair.executionArn) && !earlier) {
      violations.push({
        area: 'execution',
        subject: repair.name,
        detail: `a repair execution (${repair.status}) that no order links`,
      });
    }
  }
};

const checkMoney = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const orders = new Map(snapshot.orders.map((order) => [order.orderId, order]));
  const ledger = new Map(snapshot.payments.map((payment) => [payment.orderId, payment]));
  const books = new Map(snapshot.paymentBooks.map((book) => [book.key, book]));
  for (const order of snapshot.orders) {
    const add = (detail: string) => violations.push({ area: 'money', subject: order.orderId, detail });
    const book = books.get(order.orderId) ?? { key: order.orderId };
    const net = netChargedCents(book);
    const payment = ledger.get(order.orderId);
    const expected =
      order.status === 'COMPLETED'
        ? order.totalCents
        : order.status === 'NEEDS_ATTENTION'
          ? owedByLedger(payment)
          : order.status === 'CANCELLED' || order.status === 'REJECTED'
            ? 0
            : undefined;
    if (expected !== undefined && net !== expected) {
      add(`${order.status}: the provider holds ${net} cents, expected ${expected}`);
    }
    if (payment?.status === 'CHARGED' && book.charge?.chargeId !== payment.chargeId) {
      add(
        `the ledger's charge ${payment.chargeId} is not the provider's (${book.charge?.chargeId ?? 'none'})`,
      );
    }
  }
  for (const book of snapshot.paymentBooks) {
    if (!orders.has(book.key) && netChargedCents(book) !== 0) {
      violations.push({
        area: 'money',
        subject: book.key,
        detail: `the provider holds ${netChargedCents(book)} cents for an order the pipeline does not know`,
      });
    }
  }
};

const checkParcels = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const books = new Map(snapshot.shipmentBooks.map((book) => [book.key, book]));
  for (const order of snapshot.orders) {
    const book = books.get(order.orderId) ?? { key: order.orderId };
    const live = isLiveParcel(book);
    if ((order.status === 'CANCELLED' || order.status === 'REJECTED') && live) {
      violations.push({
        area: 'parcel',
        subject: order.orderId,
        detail: `${order.status} but a parcel is live at the carrier`,
      });
    }
    if (order.status === 'COMPLETED' && (!live || book.shipment?.trackingId !== order.trackingId)) {
      violations.push({
        area: 'parcel',
        subject: order.orderId,
        detail: `COMPLETED but the carrier's booking (${book.shipment?.trackingId ?? 'none'}) is not the order's live parcel (${order.trackingId ?? 'none'})`,
      });
    }
  }
};

const checkStock = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const status = new Map(snapshot.orders.map((order) => [order.orderId, order.status]));
  const held = new Map<string, number>();
  for (const reservation of snapshot.reservations.filter((r) => r.status === 'RESERVED')) {
    const orderStatus = status.get(reservation.orderId);
    if (orderStatus !== 'COMPLETED' && orderStatus !== 'NEEDS_ATTENTION') {
      violations.push({
        area: 'stock',
        subject: reservation.orderId,
        detail: `holds a reservation though the order is ${orderStatus ?? 'unknown'}`,
      });
      continue;
    }
    for (const line of reservation.lines) held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
  }
  for (const item of snapshot.stock) {
    const add = (detail: string) => violations.push({ area: 'stock', subject: item.sku, detail });
    if (item.available < 0) add(`available is ${item.available}`);
    if (item.seeded === undefined) continue;
    const holds = held.get(item.sku) ?? 0;
    if (item.seeded !== item.available + holds) {
      add(
        `seeded ${item.seeded} ≠ available ${item.available} + held by completed and attention orders ${holds}`,
      );
    }
  }
};

const checkMetric = (snapshot: VerifySnapshot, violations: Violation[]): void => {
  const counted = snapshot.attentionMetric;
  if (counted === undefined) return;
  for (const order of snapshot.orders.filter((o) => o.status === 'NEEDS_ATTENTION')) {
    if (!counted.has(order.orderId)) {
      violations.push({
        area: 'metric',
        subject: order.orderId,
        detail: 'NEEDS_ATTENTION but not counted by the OrdersNeedingAttention metric its alarm watches',
      });
    }
  }
};

/** Every guarantee the README states, checked against the snapshot; an empty list means all hold. */
export const findViolations = (snapshot: VerifySnapshot): Violation[] => {
  const violations: Violation[] = [];
  checkFiles(snapshot, violations);
  checkOrders(snapshot, violations);
  checkQueues(snapshot, violations);
  checkExecutions(snapshot, violations);
  checkRepairs(snapshot, violations);
  checkMoney(snapshot, violations);
  checkParcels(snapshot, violations);
  checkStock(snapshot, violations);
  checkMetric(snapshot, violations);
  return violations;
};
