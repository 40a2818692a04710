import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createLogger, type Logger } from '../../functions/logging/logger';
import type { ProviderResolution } from '../../functions/providers/resolve-provider';
import { createDocumentClient } from '../../functions/records/client';
import type { WidgetRecord } from '../../functions/records/table';
import { ROUTES } from '../../functions/routes';
import { deriveSessionKeys, type SessionKeys } from '../../functions/sessions/signing-secret';
import { counterKey } from '../../functions/usage/counter-record';
import { utcDay } from '../../functions/usage/day';
import { createAllFunctions } from '../../functions/wiring';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { ensureTable, startLocalDatabase } from '../../infra/local/database';
import { installLambdaGlobals } from '../../infra/local/lambda-runtime';
import { createLocalServer } from '../../infra/local/server';
import { reconcile } from '../../infra/reconcile/reconcile';

/**
 * Perch as the local target runs it — dynalite, the config applied by the reconciler, the
 * handlers' own runtime wiring behind the local server (proxy events, middy, the streaming
 * adapter) — but with an injected clock and, optionally, an injected model provider, so tests
 * can cross rotation graces, token expiry, minutes and UTC days. Built from explicit
 * dependencies, as the local target is: several may run in one process.
 */
export interface ClockedPerchOptions {
  /** A raw `widgets.config.ts` object; validated and resolved for the `local` stack. */
  config: unknown;
  /** Epoch ms the clock starts at. */
  startAt: number;
  resolveProvider?: (widget: WidgetRecord) => Promise<ProviderResolution>;
  timeoutMs?: number;
  /** The JSON-mode reply deadline (see JSON_REPLY_DEADLINE_MS). */
  jsonDeadlineMs?: number;
  /** What the functions read `secretEnv` settings from (identity secrets). */
  env?: NodeJS.ProcessEnv;
}

export interface ClockedPerch {
  url: string;
  table: string;
  runtime: { doc: ReturnType<typeof createDocumentClient> };
  keys: SessionKeys;
  /** The functions' logger: spy on it to see what they log. */
  logger: Logger;
  clock: { now(): number; set(epochMs: number): void; advance(ms: number): void };
  /** Re-applies a config through the reconciler at the clock's time (rotation, pause, delete...). */
  apply(config: unknown): Promise<void>;
  publicKey(widgetId: string): string;
  /** Every runtime item (sessions, counters, usage), keyed `pk|sk`: compare before and after a request. */
  runtimeItems(): Promise<Map<string, Record<string, unknown>>>;
  counter(widgetId: string, day?: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

const SECRET = 'clocked-perch-test-secret-0123456789abcdef';

export async function startClockedPerch({
  config,
  startAt,
  resolveProvider,
  timeoutMs,
  jsonDeadlineMs,
  env = {},
}: ClockedPerchOptions): Promise<ClockedPerch> {
  const table = 'perch-test';
  const database = await startLocalDatabase();
  await ensureTable(database.client, table);
  installLambdaGlobals(); // before the streaming handler is built

  let time = startAt;
  const clock = {
    now: () => time,
    set: (epochMs: number) => void (time = epochMs),
    advance: (ms: number) => void (time += ms),
  };
  const runtime = { doc: createDocumentClient(database.client) };
  const keys = deriveSessionKeys(SECRET);
  const logger = createLogger();
  const publicKeys = new Map<string, string>();
  const apply = async (raw: unknown) => {
    const { widgets } = await reconcile(runtime.doc, table, resolveConfig(validateConfig(raw), 'local'), {
      now: clock.now(),
    });
    for (const widget of widgets) publicKeys.set(widget.widgetId, widget.publicKey);
  };
  await apply(config);

  const { routes } = createAllFunctions(
    {
      doc: runtime.doc,
      table,
      loadKeys: async () => keys,
      fetchSecret: () => Promise.reject(new Error('no secrets here')),
      env,
      now: clock.now,
      logger,
    },
    { resolveProvider, timeoutMs, jsonDeadlineMs },
  );
  const server: Server = createLocalServer({
    routes: ROUTES,
    loadHandler: async (name) => routes[name as keyof typeof routes],
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    table,
    runtime,
    keys,
    logger,
    clock,
    apply,
    publicKey: (widgetId) => {
      const key = publicKeys.get(widgetId);
      if (!key) throw new Error(`no widget ${widgetId} in the applied config`);
      return key;
    },
    runtimeItems: async () => {
      const items = new Map<string, Record<string, unknown>>();
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await runtime.doc.send(
          new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }),
        );
        for (const item of page.Items ?? []) if (!item.managedBy) items.set(`${item.pk}|${item.sk}`, item);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    counter: async (widgetId, day = utcDay(clock.now())) => {
      const result = await runtime.doc.send(
        new GetCommand({ TableName: table, Key: counterKey(widgetId, day), ConsistentRead: true }),
      );
      return result.Item;
    },
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      runtime.doc.destroy();
      await database.close();
    },
  };
}

export interface StartedSession {
  sessionId: string;
  token: string;
  expiresAt: string;
  history: { id: string; role: 'visitor' | 'assistant'; text: string }[];
}

/** `POST /v1/sessions` as a browser on `origin` sends it. */
export function postSession(url: string, origin: string, body: unknown): Promise<Response> {
  return fetch(`${url}/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function startSession(url: string, origin: string, key: string, resume?: string): Promise<StartedSession> {
  const response = await postSession(url, origin, resume === undefined ? { key } : { key, resume });
  if (response.status !== 201) throw new Error(`session start: ${response.status} ${await response.text()}`);
  return (await response.json()) as StartedSession;
}

/** Starts a session on `origin` and sends `text` (JSON mode): the session and its reply's message id. */
export async function startConversation(
  perch: ClockedPerch,
  origin: string,
  widgetId: string,
  text: string,
): Promise<StartedSession & { messageId: string }> {
  const session = await startSession(perch.url, origin, perch.publicKey(widgetId));
  const reply = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text },
    { origin, token: session.token },
  );
  const { messageId } = (await reply.json()) as { messageId: string };
  return { ...session, messageId };
}

export interface PostOptions {
  origin: string;
  token?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** `POST /v1/sessions/{id}/<route>` with the token and a raw or JSON body. */
export function postToSession(
  url: string,
  sessionId: string,
  route: 'messages' | 'feedback',
  body: unknown,
  options: PostOptions,
) {
  return fetch(`${url}/v1/sessions/${encodeURIComponent(sessionId)}/${route}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: options.origin,
      Accept: options.accept ?? 'application/json',
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: options.signal,
  });
}

/** Parses an SSE body into its events, comments dropped. */
export function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice('data: '.length))
        .join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}
