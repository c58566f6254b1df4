import { OUTPUTS } from '../../lib/contract';
import type { LocalTopology, Origin } from '../../local/topology';

/** The resource names the CLI works with, keyed as lib/contract.ts OUTPUTS names the stack outputs. */
export interface PipelineNames {
  readonly ingestBucket: string;
  readonly ordersTable: string;
  readonly inventoryTable: string;
  readonly reservationsTable: string;
  readonly paymentsTable: string;
  readonly providerTable: string;
  readonly ordersQueueUrl: string;
  readonly ordersDlqUrl: string;
  readonly ingestFailuresQueueUrl: string;
  readonly stateMachineArn: string;
  /** Absent for a stack deployed before the repair machine existed: `repair` then only redrives. */
  readonly repairStateMachineArn?: string;
  readonly ingestFunctionName: string;
}

export const namesFromOutputs = (outputs: Readonly<Record<string, string>>): PipelineNames => {
  const read = (key: string): string => {
    const value = outputs[key];
    if (value === undefined) throw new Error(`stack output ${key} is missing`);
    return value;
  };
  return {
    ingestBucket: read(OUTPUTS.ingestBucketName),
    ordersTable: read(OUTPUTS.ordersTableName),
    inventoryTable: read(OUTPUTS.inventoryTableName),
    reservationsTable: read(OUTPUTS.reservationsTableName),
    paymentsTable: read(OUTPUTS.paymentsTableName),
    providerTable: read(OUTPUTS.providerTableName),
    ordersQueueUrl: read(OUTPUTS.ordersQueueUrl),
    ordersDlqUrl: read(OUTPUTS.ordersDlqUrl),
    ingestFailuresQueueUrl: read(OUTPUTS.ingestFailuresQueueUrl),
    stateMachineArn: read(OUTPUTS.stateMachineArn),
    ...(outputs[OUTPUTS.repairStateMachineArn] === undefined
      ? {}
      : { repairStateMachineArn: read(OUTPUTS.repairStateMachineArn) }),
    ingestFunctionName: read(OUTPUTS.ingestFunctionName),
  };
};

/** A short readable label from the construct path: `/stack/Ingest/Failures/Resource` → `Ingest/Failures`. */
export const labelOf = (origin: Origin): string =>
  origin.path
    ? origin.path
        .split('/')
        .filter(Boolean)
        .slice(1)
        .filter((part) => part !== 'Resource')
        .join('/')
    : origin.logicalId;

/** Queues that collect what functions could not take: async on-failure destinations and rule DLQs. */
export const failureQueues = (topology: LocalTopology) => {
  const arns = new Set([
    ...topology.functions.flatMap((fn) => (fn.asyncInvoke.onFailureArn ? [fn.asyncInvoke.onFailureArn] : [])),
    ...topology.eventRules.flatMap((rule) =>
      rule.targets.flatMap((t) => (t.deadLetterArn ? [t.deadLetterArn] : [])),
    ),
  ]);
  return topology.queues.filter((queue) => arns.has(queue.arn));
};
