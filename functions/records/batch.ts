import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../usage/concurrently';

/** BatchGetItem takes 100 keys, BatchWriteItem 25 puts. */
export const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;

type Key = Record<string, unknown>;

export interface BatchGetOptions {
  /** A ProjectionExpression, or one with its attribute names (`projectionOf`). */
  projection?: string | { ProjectionExpression: string; ExpressionAttributeNames?: Record<string, string> };
  consistentRead?: boolean;
  /** Pages of 100 keys asked for at once. */
  inFlight?: number;
}

/**
 * Every item of `keys` that exists, in any order, in BatchGetItem pages of 100; unprocessed keys
 * (throttling, or a response over 16 MB) are asked for again after a back-off.
 */
export async function batchGetItems<T = Record<string, unknown>>(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  { projection, consistentRead = false, inFlight = 4 }: BatchGetOptions = {},
): Promise<T[]> {
  const expression = typeof projection === 'string' ? { ProjectionExpression: projection } : (projection ?? {});
  const items: T[] = [];
  await forEachConcurrently(chunks(keys, BATCH_GET_KEYS), inFlight, async (chunk) => {
    let pending: Key[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      await backOff(attempt);
      const result = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: { Keys: pending, ...(consistentRead ? { ConsistentRead: true } : {}), ...expression },
          },
        }),
      );
      items.push(...((result.Responses?.[table] ?? []) as T[]));
      pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  });
  return items;
}

/** Puts every item in BatchWriteItem pages of 25, all at once, retrying unprocessed ones after a back-off. */
export async function batchPutItems(doc: DynamoDBDocumentClient, table: string, items: readonly object[]) {
  await Promise.all(
    chunks(items, BATCH_WRITE_ITEMS).map(async (chunk) => {
      let pending = chunk.map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        await backOff(attempt);
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }),
  );
}

/** Unprocessed keys or items mean the table is throttling: wait before asking again. */
const backOff = (attempt: number) =>
  attempt === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
