import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME } from '../../functions/records/table';
import type { ConfiguredWidget } from '../../functions/usage/roster';
import { DEFAULT_CONFIG_FILE, loadResolvedConfig } from '../config/load';
import { ensureTable, localClientConfig, startLocalDatabase, TABLE_UPGRADE_FILE } from '../local/database';
import type { UsageTarget } from './args';
import { readLocalEndpoint } from './local-endpoint';

/** An open table to read usage from. */
export interface UsageSource {
  doc: DynamoDBDocumentClient;
  table: string;
  /** Says where the figures come from, for the report's title. */
  description: string;
  /** The local config's widgets, listed even before `npm start` applied them. */
  declaredWidgets: ConfiguredWidget[];
  close(): Promise<void>;
}

/** The source cannot be opened; the message says why and what to do. */
export class UsageSourceError extends Error {
  override name = 'UsageSourceError';
}

export interface OpenUsageSourceOptions {
  env?: NodeJS.ProcessEnv;
  /** Non-fatal notes (e.g. a config that does not load), for stderr. */
  warn?: (line: string) => void;
}

export async function openUsageSource(
  target: UsageTarget,
  { env = process.env, warn = () => undefined }: OpenUsageSourceOptions = {},
): Promise<UsageSource> {
  if (target.kind === 'local') return openLocal(env, warn);
  const { table, region } = target.kind === 'aws' ? target : readOutputs(target.outputsFile, target.region);
  const client = new DynamoDBClient(region ? { region } : {});
  return {
    doc: createDocumentClient(client),
    table,
    description: `DynamoDB table ${table}${region ? ` (${region})` : ''}`,
    declaredWidgets: [],
    close: async () => client.destroy(),
  };
}

/**
 * The local target's data: through the running target's dynalite when `npm start` runs (it
 * holds the LevelDB lock), otherwise by opening the data folder itself, read-only in effect.
 */
async function openLocal(env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<UsageSource> {
  const dataDir = env.PERCH_DATA_DIR ?? '.perch';
  const declaredWidgets = await declaredLocalWidgets(env, warn);
  const running = readLocalEndpoint(dataDir);
  if (running) {
    const client = new DynamoDBClient(localClientConfig(running.endpoint));
    if (await tableExists(client, running.table).catch(() => undefined)) {
      return {
        doc: createDocumentClient(client),
        table: running.table,
        description: `local data in ${dataDir} (npm start running, pid ${running.pid})`,
        declaredWidgets,
        close: async () => client.destroy(),
      };
    }
    client.destroy();
  }
  const dbPath = join(dataDir, 'db');
  if (!existsSync(dbPath)) {
    throw new UsageSourceError(
      `no local data in ${resolve(dataDir)}: run \`npm start\` once, set PERCH_DATA_DIR, ` +
        'or read AWS with --table / --outputs',
    );
  }
  const database = await startLocalDatabase({ path: dbPath }).catch((cause: Error) => {
    throw new UsageSourceError(
      /lock/i.test(cause.message)
        ? `the data folder ${resolve(dataDir)} is in use by a process that published no endpoint ` +
            `(${dataDir}/local-endpoint.json); stop it and retry`
        : `cannot open the local data in ${resolve(dataDir)}: ${cause.message}`,
      { cause },
    );
  });
  if (!(await tableExists(database.client, DEFAULT_TABLE_NAME))) {
    await database.close();
    throw new UsageSourceError(`no Perch table in ${resolve(dataDir)}: run \`npm start\` once`);
  }
  // A folder last used by an older Perch may lack the newer indexes; `npm start` would add them too.
  await ensureTable(database.client, DEFAULT_TABLE_NAME, { backupFile: join(dataDir, TABLE_UPGRADE_FILE), log: warn });
  return {
    doc: createDocumentClient(database.client),
    table: DEFAULT_TABLE_NAME,
    description: `local data in ${dataDir} (npm start not running)`,
    declaredWidgets,
    close: () => database.close(),
  };
}

/** The widgets of PERCH_CONFIG; a config that does not load only costs their names. */
async function declaredLocalWidgets(env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<ConfiguredWidget[]> {
  const file = env.PERCH_CONFIG ?? DEFAULT_CONFIG_FILE;
  try {
    const config = await loadResolvedConfig(file, env.PERCH_STACK ?? 'local');
    return config.widgets.map((w) => ({
      widgetId: w.id,
      name: w.name,
      status: w.status,
      retentionDays: w.retentionDays,
    }));
  } catch (error) {
    warn(`note: ${file} not read (${(error as Error).message.split('\n')[0]}); listing the widgets the table knows`);
    return [];
  }
}

async function tableExists(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** The table from `pulumi stack output --json > outputs.json` (its `tableName`, and `region` if exported). */
function readOutputs(file: string, region: string | undefined): { table: string; region?: string } {
  let outputs: unknown;
  try {
    outputs = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new UsageSourceError(`cannot read stack outputs from ${file}: ${(cause as Error).message}`, { cause });
  }
  const { tableName, region: outputRegion } = (outputs ?? {}) as { tableName?: unknown; region?: unknown };
  if (typeof tableName !== 'string' || tableName === '') {
    throw new UsageSourceError(
      `${file} has no "tableName" output; ` +
        `create it with \`pulumi stack output --json > ${file}\` or pass --table <name>`,
    );
  }
  return { table: tableName, region: region ?? (typeof outputRegion === 'string' ? outputRegion : undefined) };
}
