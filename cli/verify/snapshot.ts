import type { PaymentBook, ShipmentBook } from '#shared/adapters/provider-books';
import type { PaymentRecord, Reservation } from '#shared/domain/ports';
import type { IngestSummary, RejectEntry } from '../../functions/ingest/rejects-report';

/** One record of an ingested file as the checker reads it, independently of the ingest. */
export type RecordRead =
  | {
      readonly line: number;
      readonly valid: true;
      readonly orderId: string;
      readonly contentHash: string;
      readonly totalCents: number;
    }
  | {
      readonly line: number;
      readonly valid: false;
      readonly orderId?: string;
      readonly reasons: readonly string[];
    };

export interface FileSnapshot {
  readonly key: string;
  readonly records: readonly RecordRead[];
  /** The checker could not read the file past this line (the ingest must report the rest as one remainder). */
  readonly unreadableFrom?: number;
  readonly report?: { readonly rejects: readonly RejectEntry[]; readonly summary?: IngestSummary };
}

export interface OrderItem {
  readonly orderId: string;
  readonly status?: string;
  readonly statusReason?: string;
  readonly contentHash?: string;
  readonly totalCents?: number;
  readonly correlationId?: string;
  readonly sagaExecutionArn?: string;
  /** The repair execution `orderflow repair` started and linked, when its saga could not be redriven. */
  readonly repairExecutionArn?: string;
  readonly trackingId?: string;
}

export interface DeadLetter {
  readonly groupId?: string;
  readonly contentHash?: string;
  readonly errorType?: string;
  readonly errorReason?: string;
  /** ApproximateReceiveCount as read (our own looks add to it). */
  readonly receiveCount?: number;
}

export interface ExecutionSeen {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly error?: string;
  /** The order the input names, when it names one. */
  readonly orderId?: string;
}

export interface StockItem {
  readonly sku: string;
  readonly available: number;
  /** What `orderflow seed` set; absent for a sku seeded another way. */
  readonly seeded?: number;
}

/** Everything the checker reads, from the records outside the pipeline's own counters. */
export interface VerifySnapshot {
  readonly files: readonly FileSnapshot[];
  readonly orders: readonly OrderItem[];
  readonly deadLetters: readonly DeadLetter[];
  /** Messages in the DLQ, visible or not; more than `deadLetters` when a group hides some. */
  readonly deadLetterCount: number;
  readonly ordersQueueDepth: number;
  readonly ingestFailures: number;
  readonly executions: readonly ExecutionSeen[];
  /** Executions of the order-repair state machine; absent for a stack without one. */
  readonly repairExecutions?: readonly ExecutionSeen[];
  readonly payments: readonly PaymentRecord[];
  readonly paymentBooks: readonly PaymentBook[];
  readonly shipmentBooks: readonly ShipmentBook[];
  readonly stock: readonly StockItem[];
  readonly reservations: readonly Reservation[];
  /** Orders the OrdersNeedingAttention metric counted; undefined when the metric cannot be read. */
  readonly attentionMetric?: ReadonlySet<string>;
}
