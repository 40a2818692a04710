import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_SCHEMA } from '../../functions/records/table';
import { hasPendingUpgrade, rebuildTable, type TableUpgradeOptions } from './table-upgrade';

export interface LocalDatabase {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export interface LocalDatabaseOptions {
  /** LevelDB folder; in memory when omitted (tests). */
  path?: string;
}

/**
 * Starts dynalite (a real DynamoDB API on LevelDB) on a free loopback port. The SDK client
 * uses static dummy credentials: dynalite accepts any signature.
 */
export async function startLocalDatabase({ path }: LocalDatabaseOptions = {}): Promise<LocalDatabase> {
  if (path !== undefined) await assertFolderOpens(path);
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  refuseBrowsers(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient(localClientConfig(endpoint));
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * dynalite accepts any signature and grants `Access-Control-Allow-Origin: *`, so on its own any
 * web page the operator visits could read or rewrite the table on this loopback port. The SDK
 * never sends `Origin` and always names the loopback endpoint as Host; a browser's request
 * (or a DNS-rebound one) does not, and is refused before dynalite sees it.
 */
function refuseBrowsers(server: ReturnType<typeof dynalite>): void {
  const [dynaliteHandler] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const loopbackHost = /^(127\.0\.0\.1|localhost)(:\d{1,5})?$/i.test(req.headers.host ?? '');
    if (req.headers.origin !== undefined || !loopbackHost) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('Forbidden\n');
      return;
    }
    dynaliteHandler!(req, res);
  });
}

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * dynalite opens LevelDB lazily and throws from its request handler when it cannot (the folder
 * is locked by another process, or is not a folder), which would crash the process on the first
 * request with "Database is closed". Opening the folder once first, with the LevelDB class
 * dynalite itself uses, turns that into an error the caller can report.
 */
async function assertFolderOpens(path: string): Promise<void> {
  const { Level } = createRequire(require.resolve('dynalite'))('level') as {
    Level: new (path: string) => LevelDatabase;
  };
  const db = new Level(path);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw new Error(`${path} is locked by another process`, { cause: error });
    throw new Error(cause?.message ?? (error as Error).message, { cause: error });
  } finally {
    await db.close();
  }
}

export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/** Environment that points the AWS SDK inside the handlers at the local database. */
export function localSdkEnvironment(endpoint: string, table: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    PERCH_TABLE: table,
  };
}

/** The data folder's file that holds the items while an old table is rebuilt. */
export const TABLE_UPGRADE_FILE = 'table-upgrade.jsonl';

/**
 * Creates the single table (keys, the sparse indexes of TABLE_SCHEMA) unless it exists, and
 * rebuilds one made before an index existed. TTL is not set: dynalite has none, so readers
 * filter on `expiresAt` and the local target sweeps.
 */
export async function ensureTable(
  client: DynamoDBClient,
  table: string,
  upgrade: TableUpgradeOptions = {},
): Promise<'created' | 'exists' | 'rebuilt'> {
  let indexes: string[] | undefined;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    await waitUntilActive(client, table);
    indexes = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const create = () => createTable(client, table);
  const missing = indexes && TABLE_SCHEMA.indexes.some(({ name }) => !indexes.includes(name));
  if (missing || hasPendingUpgrade(upgrade.backupFile)) {
    await rebuildTable(client, table, { ...upgrade, exists: indexes !== undefined, create });
    return 'rebuilt';
  }
  if (indexes) return 'exists';
  await create();
  return 'created';
}

async function createTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: TABLE_SCHEMA.attributes.map(({ name, type }) => ({
        AttributeName: name,
        AttributeType: type,
      })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.hashKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.rangeKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.hashKey, KeyType: 'HASH' },
          { AttributeName: index.rangeKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: index.projection },
      })),
    }),
  );
  await waitUntilActive(client, table);
}

// dynalite answers CreateTable with CREATING and flips to ACTIVE on a timer; until then every
// read of the table fails with ResourceNotFoundException (seen on a fresh LevelDB folder).
async function waitUntilActive(client: DynamoDBClient, table: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${table} is still ${Table?.TableStatus} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
