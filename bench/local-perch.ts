import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { createLogger } from '../functions/logging/logger';
import { createDocumentClient } from '../functions/records/client';
import { ROUTES } from '../functions/routes';
import { deriveSessionKeys } from '../functions/sessions/signing-secret';
import { createAllFunctions } from '../functions/wiring';
import type { FunctionDependencies } from '../functions/wiring/dependencies';
import type { MessagesOverrides } from '../functions/wiring/messages';
import { validateConfig } from '../infra/config/load';
import { resolveConfig } from '../infra/config/resolve';
import { ensureTable, startLocalDatabase } from '../infra/local/database';
import { installLambdaGlobals, isStreamingHandler, type StreamingHandler } from '../infra/local/lambda-runtime';
import { createLocalServer } from '../infra/local/server';
import { reconcile } from '../infra/reconcile/reconcile';

export const ORIGIN = 'https://docs.example.com';
export const QUESTION = 'How do I rotate the key?';
export const FAQ = [{ question: QUESTION, answer: 'Raise keyRotation in widgets.config.ts and apply the config.' }];
/** Limits no bench reaches, so every message takes the same path. */
export const OPEN_LIMITS = { perMinute: 100_000, perDay: 10_000_000, sessionsPerVisitorPerHour: 100_000 };

/** A `widgets.config.ts` object: a faq widget per id (unpaced), each with its own changes to the defaults. */
export function faqConfig(widgets: Record<string, Record<string, unknown>>) {
  const widget = { name: 'Bench', model: 'local', allowedOrigins: [ORIGIN], limits: OPEN_LIMITS, faq: FAQ };
  return {
    models: { local: { provider: 'faq', streamDelayMs: 0 } },
    widgets: Object.fromEntries(Object.entries(widgets).map(([id, changes]) => [id, { ...widget, ...changes }])),
  };
}

export interface BenchTable {
  deps: FunctionDependencies;
  publicKey(widgetId: string): string;
  close(): Promise<void>;
}

/**
 * dynalite in memory with a config applied by the reconciler, and the functions' dependencies
 * on it: what infra/local/target.ts builds, with the bench's clock and without its timers.
 */
export async function startBenchTable(config: unknown, now: () => number = Date.now): Promise<BenchTable> {
  const table = 'perch-bench';
  const database = await startLocalDatabase();
  await ensureTable(database.client, table);
  const doc = createDocumentClient(database.client);
  const { widgets } = await reconcile(doc, table, resolveConfig(validateConfig(config), 'local'), { now: now() });
  const keys = deriveSessionKeys('bench-secret-0123456789abcdef0123456789');
  // The handlers log a line per request: warnings and errors only, so a failure still shows.
  // (Powertools resets a level set by setLogLevel at each warm invocation: a child's initial level stays.)
  const logger = createLogger().createChild({ logLevel: 'WARN' });
  return {
    deps: {
      doc,
      table,
      loadKeys: async () => keys,
      fetchSecret: () => Promise.reject(new Error('no secrets in the bench')),
      env: {},
      logger,
      now,
    },
    publicKey: (widgetId) => widgets.find((w) => w.widgetId === widgetId)!.publicKey,
    close: () => database.close(),
  };
}

export interface LocalAdapterOptions {
  messages?: MessagesOverrides;
  /** Told how long each call of a route's handler took, from the proxy event to its answer written. */
  onHandled?: (route: string, ms: number) => void;
}

/**
 * Every function behind the local server (proxy events, middy, the streaming adapter), as the
 * local target serves them, on a free loopback port.
 */
export async function serveLocally(deps: FunctionDependencies, options: LocalAdapterOptions = {}) {
  installLambdaGlobals(); // before the streaming handler is built
  const { routes } = createAllFunctions(deps, options.messages);
  const { onHandled } = options;
  const loadHandler = async (name: string) => {
    const handler = routes[name as keyof typeof routes];
    return onHandled ? timedHandler(name, handler, onHandled) : handler;
  };
  const server: Server = createLocalServer({ routes: ROUTES, loadHandler });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

type BufferedHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The handler, timed; a streaming one stays streaming (marked by the same `awslambda` global). */
function timedHandler(name: string, handler: unknown, onHandled: (route: string, ms: number) => void): unknown {
  const timed =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await call(...args);
      } finally {
        onHandled(name, performance.now() - started);
      }
    };
  if (!isStreamingHandler(handler)) return timed(handler as BufferedHandler);
  const { awslambda } = globalThis as unknown as { awslambda: { streamifyResponse(h: StreamingHandler): unknown } };
  return awslambda.streamifyResponse(timed(handler));
}

export interface BenchSession {
  sessionId: string;
  token: string;
}

/** `POST /v1/sessions` as the widget on ORIGIN sends it. */
export async function startSession(url: string, publicKey: string): Promise<BenchSession> {
  const response = await fetch(`${url}/v1/sessions`, {
    method: 'POST',
    headers: { Origin: ORIGIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: publicKey }),
  });
  if (response.status !== 201) throw new Error(`session start: ${response.status} ${await response.text()}`);
  return (await response.json()) as BenchSession;
}

/** `POST /v1/sessions/{id}/messages` with the QUESTION, answered as `accept` asks. */
export function sendMessage(url: string, session: BenchSession, accept: 'application/json' | 'text/event-stream') {
  return fetch(`${url}/v1/sessions/${session.sessionId}/messages`, {
    method: 'POST',
    headers: {
      Origin: ORIGIN,
      'Content-Type': 'application/json',
      Accept: accept,
      Authorization: `Bearer ${session.token}`,
    },
    body: JSON.stringify({ text: QUESTION }),
  });
}
