import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createLogger, type Logger } from '../../functions/logging/logger';
import { createDocumentClient } from '../../functions/records/client';
import { DEFAULT_TABLE_NAME, type WidgetRecord } from '../../functions/records/table';
import { ROUTES } from '../../functions/routes';
import { deriveSessionKeys } from '../../functions/sessions/signing-secret';
import { createAllFunctions } from '../../functions/wiring';
import { loadResolvedConfig } from '../config/load';
import { planKnowledge } from '../knowledge/plan-knowledge';
import { formatPlan } from '../reconcile/print';
import { reconcile } from '../reconcile/reconcile';
import { buildOutputs, type PerchOutputs } from '../state/outputs';
import { removeLocalEndpoint, writeLocalEndpoint } from '../usage/local-endpoint';
import { createConversationsPage } from './conversations-page';
import { ensureTable, startLocalDatabase, TABLE_UPGRADE_FILE } from './database';
import { openKnowledgeFolder } from './knowledge-folder';
import { installLambdaGlobals, localContext } from './lambda-runtime';
import { serveLoaderFiles } from './loader-files';
import { startQuotaTimer } from './quota-timer';
import { createLocalServer, type LocalPathHandler } from './server';
import { loadOrCreateSessionSecret } from './session-secret';
import { startSweeper } from './sweeper';
import { createUsagePage } from './usage-page';

/** A one-line, user-facing failure of the local target (port taken, bad data folder...). */
export class LocalTargetError extends Error {
  override name = 'LocalTargetError';
}

export interface LocalTargetOptions {
  configFile: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Where dynalite persists; in memory when undefined (tests). */
  dataDir?: string;
  stack?: string;
  table?: string;
  /** Loopback by default: the local target is not meant to face a network. */
  host?: string;
  log?: (line: string) => void;
  /** Served before the API routes, after the loader files (`/v1/loader.js`, `/v1/chat.<hash>.js`). */
  extraPaths?: LocalPathHandler[];
  /** The functions' structured logger (JSON lines on the terminal, as in CloudWatch). */
  logger?: Logger;
}

export interface LocalTarget {
  apiUrl: string;
  outputs: PerchOutputs;
  /** The widget records as applied. */
  widgets: WidgetRecord[];
  server: Server;
  /** The dynalite endpoint holding the table (for tools and tests). */
  databaseEndpoint: string;
  table: string;
  /** The session-signing secret the functions use. */
  sessionSecret: string;
  /** Settles once the quota reset's run at start (catching up missed midnights) has finished. */
  quotaCaughtUp: Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs Perch on one machine: dynalite as the table, the config reconciled with a printed
 * plan, and the Lambda handlers behind a local HTTP server.
 */
export async function startLocalTarget({
  configFile,
  port = 8787,
  dataDir,
  stack = 'local',
  table = DEFAULT_TABLE_NAME,
  host = '127.0.0.1',
  log = console.log,
  extraPaths = [],
  logger = createLogger(),
}: LocalTargetOptions): Promise<LocalTarget> {
  const config = await loadResolvedConfig(configFile, stack);
  if (dataDir !== undefined) prepareDataDir(dataDir);

  const database = await startLocalDatabase({ path: dataDir && join(dataDir, 'db') }).catch((cause: Error) => {
    throw new LocalTargetError(
      /lock/i.test(cause.message)
        ? `data folder ${dataDir} is in use by another Perch process; stop it or set PERCH_DATA_DIR`
        : `cannot open the local database in ${dataDir}: ${cause.message}`,
      { cause },
    );
  });
  try {
    const doc = createDocumentClient(database.client);
    const upgrade = { backupFile: dataDir && join(dataDir, TABLE_UPGRADE_FILE), log };
    if ((await ensureTable(database.client, table, upgrade)) === 'created')
      log(`Created table "${table}" in ${dataDir ?? 'memory'}.`);
    // Artifacts first: a widget record never names one that is not there yet.
    const knowledge = openKnowledgeFolder(dataDir);
    const knowledgePlan = planKnowledge(config.knowledge, knowledge.manifest, knowledge.hasArtifact);
    knowledge.write(knowledgePlan);
    const { widgets } = await reconcile(doc, table, config, {
      onPlan: (plan) => log(formatPlan(plan, knowledgePlan)),
    });
    knowledge.prune();

    // The same functions as on AWS, built from this target's own database and secret (nothing
    // goes through process.env, so targets can share a process).
    const sessionSecret = loadOrCreateSessionSecret(dataDir);
    const keys = deriveSessionKeys(sessionSecret);
    installLambdaGlobals();
    const functions = createAllFunctions({
      doc,
      table,
      loadKeys: async () => keys,
      fetchSecret: async (id) => {
        throw new Error(`the local target has no Secrets Manager (secret ${id}): use apiKeyEnv or identity.secretEnv`);
      },
      env: process.env,
      readArtifact: knowledge.read,
      logger,
    });
    const stopSweeper = startSweeper(doc, table);
    const server = createLocalServer({
      routes: ROUTES,
      loadHandler: async (name) => functions.routes[name as keyof typeof functions.routes],
      extraPaths: [
        serveLoaderFiles({ log }),
        createUsagePage({ doc, table }),
        createConversationsPage({ doc, table }),
        ...extraPaths,
      ],
    });
    const boundPort = await listen(server, port, host);
    const apiUrl = `http://localhost:${boundPort}`;
    const outputs = buildOutputs(
      apiUrl,
      widgets.map((w) => ({ id: w.widgetId, publicKey: w.publicKey })),
    );
    if (dataDir !== undefined) writeFileSync(join(dataDir, 'outputs.json'), `${JSON.stringify(outputs, null, 2)}\n`);
    // `npm run usage` reads through our dynalite while we hold the data folder's lock.
    if (dataDir !== undefined) writeLocalEndpoint(dataDir, database.endpoint, table);
    // 00:00 UTC quota reset through the same handler as on AWS; the first run catches up on missed midnights.
    const quotaTimer = startQuotaTimer({
      runAtStart: true,
      run: () => functions.quotaReset({}, localContext('quota-reset', 900_000)),
    });
    return {
      apiUrl,
      outputs,
      widgets,
      server,
      databaseEndpoint: database.endpoint,
      table,
      sessionSecret,
      quotaCaughtUp: quotaTimer.caughtUp,
      close: async () => {
        stopSweeper();
        await quotaTimer.stop();
        if (dataDir !== undefined) removeLocalEndpoint(dataDir);
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.R_OK | constants.W_OK);
  } catch (cause) {
    throw new LocalTargetError(
      `data folder ${resolve(dataDir)} is not readable and writable: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'EADDRINUSE'
          ? new LocalTargetError(`port ${port} is already in use; stop what uses it or set PERCH_PORT`, {
              cause: error,
            })
          : error,
      );
    });
    server.listen(port, host, () => done((server.address() as AddressInfo).port));
  });
}
