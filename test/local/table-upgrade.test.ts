import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { CONVERSATIONS_INDEX, TABLE_SCHEMA } from '../../functions/records/table';
import { ensureTable, type LocalDatabase, startLocalDatabase, TABLE_UPGRADE_FILE } from '../../infra/local/database';

// A data folder from before the conversation indexes: dynalite cannot add an index, so the
// table is rebuilt from a saved copy of its items, and an interrupted rebuild loses nothing.
const TABLE = 'perch';
let dir: string;
let database: LocalDatabase;
let backupFile: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-table-upgrade-'));
  backupFile = join(dir, TABLE_UPGRADE_FILE);
  database = await startLocalDatabase({ path: join(dir, 'db') });
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const ITEMS = [
  { pk: 'WIDGET#docs', sk: 'CONFIG', managedBy: 'perch-config', widgetId: 'docs', name: 'Docs' },
  { pk: 'SESSION#s-1', sk: 'SESSION', sessionId: 's-1', widgetId: 'docs', createdAt: 1_764_000_000_000, turns: {} },
  { pk: 'COUNTER#docs', sk: 'DAY#2026-12-01', messages: 4, refusals: { widget_rate_limit: 1 } },
];

/** The table as an older Perch made it: keys and the managed index only. */
async function createOldTable() {
  await database.client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'managedBy'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'managed',
          KeySchema: [
            { AttributeName: 'managedBy', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await ensureActive();
}

async function ensureActive() {
  for (;;) {
    const { Table } = await database.client.send(new DescribeTableCommand({ TableName: TABLE }));
    if (Table?.TableStatus === 'ACTIVE') return Table;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const doc = () => createDocumentClient(database.client);
const allItems = async () =>
  ((await doc().send(new ScanCommand({ TableName: TABLE }))).Items ?? []).sort((a, b) => (a.pk < b.pk ? -1 : 1));
const sorted = [...ITEMS].sort((a, b) => (a.pk < b.pk ? -1 : 1));

test('an old table gets every index of TABLE_SCHEMA and keeps every item; the session is listed', async () => {
  await createOldTable();
  for (const Item of ITEMS) await doc().send(new PutCommand({ TableName: TABLE, Item }));
  const lines: string[] = [];

  expect(await ensureTable(database.client, TABLE, { backupFile, log: (line) => lines.push(line) })).toBe('rebuilt');

  const table = await ensureActive();
  expect(table.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
    TABLE_SCHEMA.indexes.map((i) => i.name).sort(),
  );
  expect(await allItems()).toEqual(sorted);
  const listed = await doc().send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: CONVERSATIONS_INDEX,
      KeyConditionExpression: 'widgetId = :w',
      ExpressionAttributeValues: { ':w': 'docs' },
    }),
  );
  expect(listed.Items).toEqual([{ pk: 'SESSION#s-1', sk: 'SESSION', widgetId: 'docs', createdAt: 1_764_000_000_000 }]);
  expect(lines).toEqual(['Rebuilding table "perch" to add its new indexes (3 items kept).']);
  expect(existsSync(backupFile)).toBe(false);
  expect(await ensureTable(database.client, TABLE, { backupFile })).toBe('exists');
});

test('a rebuild interrupted after the old table was deleted resumes from the saved items', async () => {
  writeFileSync(backupFile, ITEMS.map((item) => `${JSON.stringify(marshall(item))}\n`).join(''));

  expect(await ensureTable(database.client, TABLE, { backupFile, log: () => undefined })).toBe('rebuilt');

  expect(await allItems()).toEqual(sorted);
  expect(existsSync(backupFile)).toBe(false);
});

test('a rebuild interrupted before the old table was deleted resumes too, without duplicating anything', async () => {
  await createOldTable();
  for (const Item of ITEMS.slice(0, 2)) await doc().send(new PutCommand({ TableName: TABLE, Item }));
  writeFileSync(backupFile, ITEMS.map((item) => `${JSON.stringify(marshall(item))}\n`).join(''));

  expect(await ensureTable(database.client, TABLE, { backupFile, log: () => undefined })).toBe('rebuilt');

  expect(await allItems()).toEqual(sorted);
});
