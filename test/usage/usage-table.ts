import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { MANAGED_BY, widgetKey } from '../../functions/records/table';
import {
  activeRosterKey,
  type CounterRecord,
  counterKey,
  type UsageRecord,
  usageKey,
} from '../../functions/usage/counter-record';
import { nextUtcMidnight } from '../../functions/usage/day';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';

export const TABLE = 'perch-usage-test';

export interface UsageTable {
  db: LocalDatabase;
  doc: DynamoDBDocumentClient;
  /** A widget record as config apply writes it (only the fields the usage code reads). */
  putWidget(widgetId: string, fields?: { name?: string; status?: 'active' | 'paused' }): Promise<void>;
  deleteWidget(widgetId: string): Promise<void>;
  /**
   * A counter item as the limits code leaves it at `atMs` on its day (expiry: 3 days after the day
   * ends), listed on the day roster unless `listed` is false (a counter from before day rosters).
   */
  putCounter(
    widgetId: string,
    atMs: number,
    figures: Partial<CounterRecord>,
    options?: { listed?: boolean },
  ): Promise<void>;
  addToCounter(widgetId: string, day: string, figures: Record<string, number>): Promise<void>;
  counter(widgetId: string, day: string): Promise<CounterRecord | undefined>;
  history(widgetId: string, day: string): Promise<UsageRecord | undefined>;
  allHistory(widgetId: string): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

/** An in-memory dynalite with the Perch table, and ways to arrange widget and counter items. */
export async function startUsageTable(): Promise<UsageTable> {
  const db = await startLocalDatabase();
  await ensureTable(db.client, TABLE);
  const doc = createDocumentClient(db.client);
  const get = async (key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;
  return {
    db,
    doc,
    putWidget: async (widgetId, { name = `Widget ${widgetId}`, status = 'active' } = {}) => {
      await doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { ...widgetKey(widgetId), managedBy: MANAGED_BY, widgetId, name, status },
        }),
      );
    },
    deleteWidget: async (widgetId) => {
      await doc.send(new DeleteCommand({ TableName: TABLE, Key: widgetKey(widgetId) }));
    },
    putCounter: async (widgetId, atMs, figures, { listed = true } = {}) => {
      const day = new Date(atMs).toISOString().slice(0, 10);
      const item: CounterRecord = {
        ...counterKey(widgetId, day),
        widgetId,
        day,
        minute: Math.floor(atMs / 60_000),
        cur: 1,
        prev: 0,
        caps: Array.from({ length: 60 }, () => 10),
        expiresAt: Math.floor(nextUtcMidnight(atMs) / 1000) + 3 * 86_400,
        ...figures,
      };
      await doc.send(new PutCommand({ TableName: TABLE, Item: item }));
      // As the write that creates a day's counter does.
      if (listed) {
        const entry = { ...activeRosterKey(day, widgetId), widgetId, expiresAt: item.expiresAt };
        await doc.send(new PutCommand({ TableName: TABLE, Item: entry }));
      }
    },
    addToCounter: async (widgetId, day, figures) => {
      const names = Object.keys(figures);
      await doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: counterKey(widgetId, day),
          UpdateExpression: `ADD ${names.map((_n, i) => `#n${i} :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, figures[n]])),
        }),
      );
    },
    counter: async (widgetId, day) => (await get(counterKey(widgetId, day))) as CounterRecord | undefined,
    history: async (widgetId, day) => (await get(usageKey(widgetId, day))) as UsageRecord | undefined,
    allHistory: async (widgetId) =>
      ((
        await doc.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': usageKey(widgetId, '').pk },
          }),
        )
      ).Items ?? []) as UsageRecord[],
    close: () => db.close(),
  };
}

/** Epoch ms of an ISO instant, for readable clocks in tests. */
export const at = (iso: string) => Date.parse(iso);
