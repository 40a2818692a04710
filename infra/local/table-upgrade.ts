import { existsSync, readFileSync, rmSync } from 'node:fs';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  paginateScan,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { writeAtomically } from '../knowledge/write-atomically';

type Item = Record<string, AttributeValue>;

export interface TableUpgradeOptions {
  /** Where the items wait while the table is made again (the data folder); in memory when absent. */
  backupFile?: string;
  log?: (line: string) => void;
}

/** True when an earlier rebuild stopped between saving the items and writing them all back. */
export const hasPendingUpgrade = (backupFile: string | undefined) => backupFile !== undefined && existsSync(backupFile);

/**
 * dynalite cannot add an index to an existing table (its UpdateTable ignores
 * GlobalSecondaryIndexUpdates), so a table made before an index existed is rebuilt: every item is
 * saved (to `backupFile` when given, written whole before anything is deleted), the table is
 * deleted and made again by `create`, and the items are written back. A rebuild interrupted at any
 * point resumes from the file on the next start, so no item is lost.
 */
export async function rebuildTable(
  client: DynamoDBClient,
  table: string,
  {
    exists,
    create,
    backupFile,
    log = () => undefined,
  }: TableUpgradeOptions & {
    exists: boolean;
    create: () => Promise<void>;
  },
): Promise<number> {
  let items: Item[];
  if (hasPendingUpgrade(backupFile)) {
    items = readFileSync(backupFile!, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Item);
    log(`Resuming the rebuild of table "${table}" from ${backupFile} (${items.length} items).`);
  } else {
    items = await scanAll(client, table);
    if (backupFile !== undefined)
      writeAtomically(backupFile, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
    log(`Rebuilding table "${table}" to add its new indexes (${items.length} items kept).`);
  }
  if (exists) {
    await client.send(new DeleteTableCommand({ TableName: table }));
    await waitUntilDeleted(client, table);
  }
  await create();
  for (let i = 0; i < items.length; i += 25) await writeBatch(client, table, items.slice(i, i + 25));
  if (backupFile !== undefined) rmSync(backupFile, { force: true });
  return items.length;
}

// dynalite deletes on a timer; CreateTable before that fails with ResourceInUseException.
async function waitUntilDeleted(client: DynamoDBClient, table: string): Promise<void> {
  for (;;) {
    try {
      await client.send(new DescribeTableCommand({ TableName: table }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function scanAll(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client }, { TableName: table })) items.push(...(page.Items ?? []));
  return items;
}

async function writeBatch(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  while (pending.length > 0) {
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
  }
}
