import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createMessageRoute } from '../functions/conversations/send-message';
import type { ApiRequest } from '../functions/http/request';
import { createUsageCounters } from '../functions/limits/usage-counters';
import { createProviderResolver } from '../functions/providers/resolve-provider';
import { createDocumentClient } from '../functions/records/client';
import { createSessionStore } from '../functions/sessions/session-record';
import { createSessionKeyLoader } from '../functions/sessions/signing-secret';
import { createSessionRoute } from '../functions/sessions/start-session';
import { createWidgetStore } from '../functions/widgets/widget-store';
import { validateConfig } from '../infra/config/load';
import { resolveConfig } from '../infra/config/resolve';
import { ensureTable, startLocalDatabase } from '../infra/local/database';
import { startLocalTarget } from '../infra/local/target';
import { reconcile } from '../infra/reconcile/reconcile';

const ORIGIN = 'https://docs.example.com';
const FAQ = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation in widgets.config.ts and apply the config.' }];
const OPEN_LIMITS = { perMinute: 100_000, perDay: 10_000_000 };
const REQUEST_TARGET = 3;
const OVERHEAD_TARGET = 3;
const RUNS = Number(process.env.PERCH_BENCH_MESSAGES ?? 300);

/**
 * Two figures of the message route (issue 3):
 * 1. DynamoDB requests per visitor message, counted by an SDK middleware on the document
 *    client, through the real session and message routes in-process against dynalite (faq model).
 * 2. Handler overhead per message on the local target (faq model, no pacing, JSON mode) against
 *    a bare Node HTTP echo server in the same process: median and p95 of sequential requests.
 */
export default async function messagesBench(): Promise<void> {
  await requestsPerMessage();
  await handlerOverhead();
}

async function requestsPerMessage(): Promise<void> {
  const table = 'perch-bench-messages';
  const database = await startLocalDatabase();
  try {
    await ensureTable(database.client, table);
    const doc = createDocumentClient(database.client);
    const counted = countRequests(doc);
    const config = {
      models: { local: { provider: 'faq' } },
      widgets: {
        open: { name: 'Open', model: 'local', allowedOrigins: [ORIGIN], limits: OPEN_LIMITS, faq: FAQ },
        capped: { name: 'Capped', model: 'local', allowedOrigins: [ORIGIN], limits: { ...OPEN_LIMITS, perVisitorPerDay: 1000 }, faq: FAQ },
      },
    };
    let now = Date.UTC(2026, 10, 24, 12, 0, 1);
    const { widgets } = await reconcile(doc, table, resolveConfig(validateConfig(config), 'local'), { now });
    const keyOf = (id: string) => widgets.find((w) => w.widgetId === id)!.publicKey;

    const runtime = {
      doc,
      table,
      widgets: createWidgetStore({ doc, table }),
      sessions: createSessionStore({ doc, table }),
      counters: createUsageCounters({ doc, table }),
      loadKeys: createSessionKeyLoader({ env: { PERCH_SESSION_SECRET: 'bench-secret-0123456789abcdef0123456789' } }),
      now: () => now,
    };
    const startSession = createSessionRoute(runtime);
    const sendMessage = createMessageRoute({
      ...runtime,
      findWidget: (id) => runtime.widgets.findWidget(id),
      resolveProvider: createProviderResolver({ fetchSecret: () => Promise.reject(new Error('no secrets in the bench')) }),
    });
    const request = (method: string, body: unknown, headers: Record<string, string> = {}, sessionId?: string): ApiRequest => ({
      method,
      path: sessionId ? `/v1/sessions/${sessionId}/messages` : '/v1/sessions',
      pathParams: sessionId ? { sessionId } : {},
      headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      sourceIp: '203.0.113.7',
      requestId: 'bench',
      signal: new AbortController().signal,
    });
    const start = async (widgetId: string) => {
      const response = await startSession(request('POST', { key: keyOf(widgetId) }));
      if (response.status !== 201) throw new Error(`session start: ${response.status} ${response.body}`);
      return JSON.parse(response.body) as { sessionId: string; token: string };
    };
    const message = async (session: { sessionId: string; token: string }) => {
      const headers = { authorization: `Bearer ${session.token}`, accept: 'application/json' };
      const response = await sendMessage(request('POST', { text: 'How do I rotate the key?' }, headers, session.sessionId));
      if (response.status !== 200) throw new Error(`message: ${response.status} ${String(response.body)}`);
    };

    const rows: [string, string][] = [];
    const measure = async (label: string, times: number, act: (i: number) => Promise<void>) => {
      counted.reset();
      for (let i = 0; i < times; i++) await act(i);
      rows.push([label, counted.describe(times)]);
    };

    const open = await start('open');
    await message(open); // the minute's first message: the counter now tracks this minute
    await counted.untracked(async () => {
      for (let i = 0; i < 30; i++) await message(open); // warm up (JIT, connections)
    });
    const routeMs: number[] = [];
    await measure('message, fast path (same minute)', 50, async () => {
      now += 1000;
      const started = performance.now();
      await message(open);
      routeMs.push(performance.now() - started);
    });
    const waitedMs = counted.busyMs() / routeMs.length;
    await measure('message, first of a new minute', 10, async () => {
      now = (Math.floor(now / 60_000) + 1) * 60_000 + 5000;
      await message(open);
    });
    const capped = await start('capped');
    await message(capped);
    await measure('message, fast path with perVisitorPerDay', 20, async () => {
      now += 1000;
      await message(capped);
    });
    let dayStart = Date.UTC(2026, 10, 25);
    await measure("message, a UTC day's first", 3, async () => {
      now = dayStart - 10_000;
      const session = await counted.untracked(() => start('open')); // a fresh token, yesterday
      now = dayStart + 30_000;
      dayStart += 86_400_000;
      await message(session);
    });
    await measure('session start', 10, async () => {
      now += 1000;
      await start('open');
    });

    console.log(`DynamoDB requests per visitor action (in-process routes on dynalite, faq model; target ≤ ${REQUEST_TARGET} per message):`);
    for (const [label, figures] of rows) console.log(`  ${label.padEnd(42)} ${figures}`);
    console.log(
      '  (dynalite returns no item with a failed condition; DynamoDB does (ALL_OLD), so there a new minute costs one GetItem less)',
    );
    const route = percentile(routeMs, 50);
    console.log(
      `  fast-path message route in-process (no HTTP, no middy): median ${ms(route).trim()}, of which ${ms(waitedMs).trim()} (mean) in DynamoDB calls (SDK + dynalite), ${ms(route - waitedMs).trim()} the route's own work`,
    );
  } finally {
    await database.close();
  }
}

/** Counts the document client's requests by command with an SDK middleware (one per attempt). */
function countRequests(doc: DynamoDBDocumentClient) {
  const counts = new Map<string, number>();
  let paused = false;
  // Time with at least one request in flight: what a message waits on the table (parallel writes count once).
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (!paused) {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'deserialize', name: 'perchBenchCountRequests' }, // once per attempt: retries count
  );
  doc.middlewareStack.add(
    (next) => async (args) => {
      if (paused) return next(args);
      if (inFlight++ === 0) busySince = performance.now();
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) busyMs += performance.now() - busySince;
      }
    },
    { step: 'initialize', name: 'perchBenchTimeRequests' }, // the whole SDK call: marshalling, signing, HTTP
  );
  return {
    reset: () => {
      counts.clear();
      busyMs = 0;
    },
    busyMs: () => busyMs,
    untracked: async <T>(act: () => Promise<T>): Promise<T> => {
      paused = true;
      try {
        return await act();
      } finally {
        paused = false;
      }
    },
    describe: (actions: number) => {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const kinds = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `${name} ${fmt(n / actions)}`);
      return `${fmt(total / actions).padStart(4)} requests  (${kinds.join(', ')})`;
    },
  };
}

async function handlerOverhead(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perch-bench-overhead-'));
  const savedEnv = { ...process.env };
  const info = console.info;
  console.info = () => undefined; // the handlers log one line per request
  const echo = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  try {
    const configFile = join(dir, 'widgets.config.ts');
    writeFileSync(
      configFile,
      `export default ${JSON.stringify({
        models: { local: { provider: 'faq', streamDelayMs: 0 } },
        widgets: { 'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [ORIGIN], limits: OPEN_LIMITS, faq: FAQ } },
      })};\n`,
    );
    const target = await startLocalTarget({ configFile, port: 0, log: () => undefined });
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    try {
      const started = await fetch(`${target.apiUrl}/v1/sessions`, {
        method: 'POST',
        headers: { Origin: ORIGIN, 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: target.outputs.widgets['docs-bot']!.publicKey }),
      });
      const session = (await started.json()) as { sessionId: string; token: string };
      const body = JSON.stringify({ text: 'How do I rotate the key?' });
      const headers = { Origin: ORIGIN, 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${session.token}` };
      const perch = () => timed(`${target.apiUrl}/v1/sessions/${session.sessionId}/messages`, headers, body);
      const bare = () => timed(`http://127.0.0.1:${(echo.address() as AddressInfo).port}/`, headers, body);

      for (let i = 0; i < 30; i++) await Promise.all([perch(), bare()]); // warm up: JIT, handler imports, connections
      const perchMs: number[] = [];
      const bareMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Interleaved, so both see the same machine state (GC, CPU frequency).
        perchMs.push(await perch());
        bareMs.push(await bare());
      }
      const [pMedian, p95] = [percentile(perchMs, 50), percentile(perchMs, 95)];
      const [eMedian, e95] = [percentile(bareMs, 50), percentile(bareMs, 95)];
      console.log(`Handler overhead per message, local target (faq, streamDelayMs 0, JSON mode), ${RUNS} sequential requests each:`);
      console.log(`  perch message route   median ${ms(pMedian)}  p95 ${ms(p95)}`);
      console.log(`  bare node http echo   median ${ms(eMedian)}  p95 ${ms(e95)}`);
      const ratio = pMedian / eMedian;
      console.log(`  ratio (median)        ${ratio.toFixed(1)}× (p95 ${(p95 / e95).toFixed(1)}×)  target ≤ ${OVERHEAD_TARGET}×  ${ratio <= OVERHEAD_TARGET ? 'ok' : 'over target'}`);
    } finally {
      await target.close();
    }
  } finally {
    await new Promise<void>((done) => echo.close(() => done()));
    console.info = info;
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(9);
const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));
