import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { MANAGED_BY, MANAGED_INDEX, type ManagedRecord } from '../../functions/records/table';
import type { Plan } from './plan';

/** Every record the reconciler owns, read through the sparse `managed` index. */
export async function listManagedRecords(doc: DynamoDBDocumentClient, table: string): Promise<ManagedRecord[]> {
  const records: ManagedRecord[] = [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      IndexName: MANAGED_INDEX,
      KeyConditionExpression: 'managedBy = :m',
      ExpressionAttributeValues: { ':m': MANAGED_BY },
    },
  );
  for await (const page of pages) records.push(...((page.Items ?? []) as ManagedRecord[]));
  return records;
}

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH_SIZE = 25;
const MAX_ATTEMPTS = 8;

/**
 * Applies a plan with BatchWriteItem (25 items a request, a few in flight), retrying
 * unprocessed items with backoff. Not atomic across widgets; re-applying converges.
 */
export async function applyPlan(
  doc: DynamoDBDocumentClient,
  table: string,
  plan: Plan,
  { concurrency = 4 }: { concurrency?: number } = {},
): Promise<number> {
  const requests: WriteRequest[] = plan.changes.flatMap((change) => [
    ...change.deletes.map((Key) => ({ DeleteRequest: { Key } })),
    ...change.puts.map((Item) => ({ PutRequest: { Item: Item as unknown as Record<string, unknown> } })),
  ]);
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      await writeBatch(doc, table, batches[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return requests.length;
}

async function writeBatch(doc: DynamoDBDocumentClient, table: string, batch: WriteRequest[]): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS)
      throw new Error(`${pending.length} writes still unprocessed after ${MAX_ATTEMPTS} attempts`);
    const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (result.UnprocessedItems?.[table] ?? []) as WriteRequest[];
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
}
