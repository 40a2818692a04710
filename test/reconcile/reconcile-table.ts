import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { type KeyRecord, publicKeyKey, type WidgetRecord, widgetKey } from '../../functions/records/table';
import { validateConfig } from '../../infra/config/load';
import { type ResolvedConfig, resolveConfig } from '../../infra/config/resolve';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';
import { reconcile } from '../../infra/reconcile/reconcile';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export type RawWidget = Record<string, unknown>;

export function config(
  widgets: Record<string, RawWidget>,
  models: Record<string, unknown> = { local: { provider: 'faq' } },
): ResolvedConfig {
  return resolveConfig(validateConfig({ models, widgets }), 'local');
}

export const docsBot = (overrides: RawWidget = {}): RawWidget => ({
  name: 'Docs',
  model: 'local',
  allowedOrigins: ['https://docs.example.com'],
  faq: [{ question: 'Q?', answer: 'A.' }],
  ...overrides,
});

export const helpBot = (): RawWidget => ({
  name: 'Help',
  model: 'local',
  allowedOrigins: ['https://help.example.com'],
  faq: [{ question: 'Q?', answer: 'A.' }],
});

/** A docs-bot key item exactly as the reconciler writes it. */
export const docsKeyItem = (
  publicKey: string,
  fields: { keyVersion: number; incarnation?: string; graceUntil?: number },
) => ({
  ...publicKeyKey(publicKey),
  managedBy: 'perch-config',
  widgetId: 'docs-bot',
  ...fields,
});

export interface ReconcileTable {
  readonly doc: DynamoDBDocumentClient;
  /** This test's table: a fresh one per test. */
  readonly table: string;
  apply(resolved: ResolvedConfig, now?: number): ReturnType<typeof reconcile>;
  getItem<T>(key: { pk: string; sk: string }): Promise<T | undefined>;
  getWidget(widgetId: string): Promise<WidgetRecord | undefined>;
  getKey(publicKey: string): Promise<KeyRecord | undefined>;
  /** Every item, runtime ones included, in key order. */
  allItems(): Promise<Record<string, unknown>[]>;
}

/** One dynalite for the test file and a fresh table per test, for the reconciler to apply to. */
export function useReconcileTable(prefix: string): ReconcileTable {
  let database: LocalDatabase;
  let doc: DynamoDBDocumentClient;
  let table = '';
  let count = 0;
  beforeAll(async () => {
    database = await startLocalDatabase();
    doc = createDocumentClient(database.client);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    table = `${prefix}-${++count}`;
    await ensureTable(database.client, table);
  });

  const getItem = async <T>(key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: table, Key: key }))).Item as T | undefined;
  return {
    get doc() {
      return doc;
    },
    get table() {
      return table;
    },
    apply: (resolved, now = T0) => reconcile(doc, table, resolved, { now }),
    getItem,
    getWidget: (widgetId) => getItem<WidgetRecord>(widgetKey(widgetId)),
    getKey: (publicKey) => getItem<KeyRecord>(publicKeyKey(publicKey)),
    allItems: async () =>
      ((await doc.send(new ScanCommand({ TableName: table }))).Items ?? []).sort((a, b) =>
        `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`),
      ),
  };
}
