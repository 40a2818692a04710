import { BatchWriteCommand, type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { EXPIRY_ATTRIBUTE } from '../../functions/records/table';

/**
 * Deletes items whose `expiresAt` has passed: DynamoDB's TTL does this on AWS, dynalite has no
 * TTL. Readers already ignore expired items; this only reclaims space. Returns items deleted.
 */
export async function sweepExpiredItems(doc: DynamoDBDocumentClient, table: string, now = Date.now()): Promise<number> {
  let deleted = 0;
  const pages = paginateScan(
    { client: doc },
    {
      TableName: table,
      FilterExpression: '#exp < :now',
      ProjectionExpression: 'pk, sk',
      ExpressionAttributeNames: { '#exp': EXPIRY_ATTRIBUTE },
      ExpressionAttributeValues: { ':now': Math.floor(now / 1000) },
    },
  );
  for await (const page of pages) {
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      const batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
      deleted += batch.length - (result.UnprocessedItems?.[table]?.length ?? 0);
    }
  }
  return deleted;
}

/** Runs the sweep every `intervalMs` (default hourly); errors are logged, never fatal. */
export function startSweeper(
  doc: DynamoDBDocumentClient,
  table: string,
  { intervalMs = 3_600_000, log = console.error } = {},
) {
  const timer = setInterval(() => {
    sweepExpiredItems(doc, table).catch((error: unknown) => log(`sweeper: ${(error as Error).message}`));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
