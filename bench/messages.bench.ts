import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMessageRoute } from '../functions/conversations/send-message';
import type { ApiRequest } from '../functions/http/request';
import { noArtifacts } from '../functions/knowledge/artifact-readers';
import { createKnowledgeLoader } from '../functions/knowledge/knowledge-loader';
import { createProviderResolver } from '../functions/providers/resolve-provider';
import { createSessionRoute } from '../functions/sessions/start-session';
import { createAppearanceRoute } from '../functions/widgets/appearance';
import { createWidgetStore } from '../functions/widgets/widget-store';
import { createSessionRuntime, createSessionStartRuntime } from '../functions/wiring/session-runtime';
import { MEASURED } from '../infra/cost/measured';
import { watchRequests } from './dynamodb-requests';
import { comparedToCostFigure, durationRow, percentile } from './figures';
import {
  faqConfig,
  OPEN_LIMITS,
  ORIGIN,
  QUESTION,
  sendMessage,
  serveLocally,
  startBenchTable,
  startSession,
} from './local-perch';

const REQUEST_TARGET = 3;
const OVERHEAD_TARGET = 3;
const RUNS = Number(process.env.PERCH_BENCH_MESSAGES ?? 300);
const ROUTE_RUNS = 100;
const WARM_UP = 100;

/**
 * Two figures of the message route (issue 3), their times split into DynamoDB time and the rest
 * (issue 10). An SDK middleware on the functions' document client counts the requests and times
 * them: DynamoDB time is the wall time with a request in flight (SDK and dynalite, which runs in
 * this process), taken per message, so each message's own work is its time less its DynamoDB time.
 * 1. DynamoDB requests per visitor action through the real session and message routes in-process
 *    against dynalite (faq model), and the fast path's route time.
 * 2. Handler overhead per message through the local adapter (faq, no pacing, JSON mode) against a
 *    bare Node HTTP echo server in the same process: median and p95 of sequential requests.
 */
export default async function messagesBench(): Promise<void> {
  await requestsPerMessage();
  await handlerOverhead();
}

/** Per-request samples of a duration and the DynamoDB time within it. */
function createSplit() {
  const total: number[] = [];
  const dynamo: number[] = [];
  return {
    add: (totalMs: number, dynamoMs: number) => {
      total.push(totalMs);
      dynamo.push(dynamoMs);
    },
    total,
    dynamo,
    /** Each request's time less its DynamoDB time. */
    rest: () => total.map((t, i) => t - dynamo[i]!),
  };
}

async function requestsPerMessage(): Promise<void> {
  let now = Date.UTC(2026, 10, 24, 12, 0, 1);
  const config = faqConfig({ open: {}, capped: { limits: { ...OPEN_LIMITS, perVisitorPerDay: 1000 } } });
  const bench = await startBenchTable(config, () => now);
  try {
    const watch = watchRequests(bench.deps.doc);
    // The routes themselves, as functions/wiring builds them, without middy and the HTTP edge.
    const runtime = createSessionRuntime(bench.deps);
    const startRoute = createSessionRoute(createSessionStartRuntime(bench.deps));
    const messageRoute = createMessageRoute({
      ...runtime,
      resolveProvider: createProviderResolver({ env: {}, fetchSecret: bench.deps.fetchSecret }),
      loadKnowledge: createKnowledgeLoader(noArtifacts),
    });
    const appearanceRoute = createAppearanceRoute({ store: createWidgetStore(bench.deps), now: () => now });
    const request = (body: unknown, headers: Record<string, string> = {}, sessionId?: string): ApiRequest => ({
      method: 'POST',
      path: sessionId ? `/v1/sessions/${sessionId}/messages` : '/v1/sessions',
      pathParams: sessionId ? { sessionId } : {},
      headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      sourceIp: '203.0.113.7',
      requestId: 'bench',
      signal: new AbortController().signal,
    });
    const start = async (widgetId: string) => {
      const response = await startRoute(request({ key: bench.publicKey(widgetId) }));
      if (response.status !== 201) throw new Error(`session start: ${response.status} ${response.body}`);
      return JSON.parse(response.body) as { sessionId: string; token: string };
    };
    const message = async (session: { sessionId: string; token: string }) => {
      const headers = { authorization: `Bearer ${session.token}`, accept: 'application/json' };
      const response = await messageRoute(request({ text: QUESTION }, headers, session.sessionId));
      if (response.status !== 200) throw new Error(`message: ${response.status} ${String(response.body)}`);
    };

    const rows: { label: string; figures: string; perAction: number; byCommand: Record<string, number> }[] = [];
    const measure = async (label: string, times: number, act: (i: number) => Promise<void>) => {
      watch.reset();
      for (let i = 0; i < times; i++) await act(i);
      const byCommand = watch.byCommand(times);
      rows.push({ label, figures: watch.describe(times), perAction: watch.total() / times, byCommand });
    };

    const open = await start('open');
    await message(open); // the minute's first message: the counter now tracks this minute
    await watch.untracked(async () => {
      // Warm up (JIT, connections): this runs first in a fresh process, and dynalite warms slowly.
      for (let i = 0; i < WARM_UP; i++) await message(open);
    });
    const route = createSplit();
    await measure('message, fast path (same minute)', ROUTE_RUNS, async () => {
      now += 500; // a minute's worth of messages stays in the same minute
      const [started, busy] = [performance.now(), watch.busyMs()];
      await message(open);
      route.add(performance.now() - started, watch.busyMs() - busy);
    });
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
      const session = await watch.untracked(() => start('open')); // a fresh token, yesterday
      now = dayStart + 30_000;
      dayStart += 86_400_000;
      await message(session);
    });
    await measure('session start', 10, async () => {
      now += 1000;
      await start('open');
    });
    await measure('widget config (each page view)', 10, async () => {
      const key = bench.publicKey('open');
      const get = { ...request(undefined), method: 'GET', path: `/v1/widgets/${key}`, pathParams: { key }, body: '' };
      const response = await appearanceRoute(get);
      if (response.status !== 200) throw new Error(`widget config: ${response.status} ${response.body}`);
    });

    const fastPath = rows[0]!.perAction;
    const verdict = fastPath <= REQUEST_TARGET ? 'ok' : `over target (${fastPath} on the fast path)`;
    console.log(`DynamoDB requests per visitor action (in-process routes on dynalite, faq model;`);
    console.log(`target ≤ ${REQUEST_TARGET} per message: ${verdict}):`);
    for (const { label, figures } of rows) console.log(`  ${label.padEnd(42)} ${figures}`);
    console.log('  (dynalite returns no item with a failed condition; DynamoDB does (ALL_OLD),');
    console.log('  so there a new minute costs one GetItem less)');
    const costRows = { message: rows[0]!, sessionStart: rows.at(-2)!, widgetConfig: rows.at(-1)! };
    for (const [action, row] of Object.entries(costRows)) {
      const figure = MEASURED.dynamodbRequests[action as keyof typeof costRows];
      const same = JSON.stringify(sortKeys(row.byCommand)) === JSON.stringify(sortKeys(figure));
      console.log(
        `  ${row.label}: ${same ? 'as' : 'NOT as'} infra/cost/measured.ts prices it (${JSON.stringify(figure)})`,
      );
    }
    console.log(`Fast-path message route in-process (no HTTP, no middy), ${ROUTE_RUNS} sequential messages:`);
    console.log(durationRow('whole route', route.total));
    console.log(durationRow('of it in DynamoDB calls', route.dynamo, 'SDK + dynalite, in this process'));
    console.log(durationRow("the route's own work", route.rest(), "each message's time less its DynamoDB time"));
  } finally {
    await bench.close();
  }
}

const sortKeys = (record: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(record).sort());

async function handlerOverhead(): Promise<void> {
  const bench = await startBenchTable(faqConfig({ 'docs-bot': {} }));
  const watch = watchRequests(bench.deps.doc);
  let handled: (ms: number) => void = () => undefined;
  const perch = await serveLocally(bench.deps, {
    onHandled: (route, ms) => {
      if (route === 'messages') handled(ms);
    },
  });
  const echo = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
  try {
    const session = await startSession(perch.url, bench.publicKey('docs-bot'));
    const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
    const request = createSplit();
    const handler: number[] = [];
    const perchOnce = async (record: boolean) => {
      const handlerDone = new Promise<number>((resolve) => (handled = resolve));
      const [started, busy] = [performance.now(), watch.busyMs()];
      const response = await sendMessage(perch.url, session, 'application/json');
      await response.text();
      if (response.status !== 200) throw new Error(`message: ${response.status}`);
      const totalMs = performance.now() - started;
      const handlerMs = await handlerDone;
      if (!record) return;
      request.add(totalMs, watch.busyMs() - busy);
      handler.push(handlerMs);
    };
    const bareMs: number[] = [];
    const bareOnce = async () => {
      const started = performance.now();
      const response = await fetch(echoUrl, { method: 'POST', body: JSON.stringify({ text: QUESTION }) });
      await response.text();
      return performance.now() - started;
    };

    for (let i = 0; i < WARM_UP; i++) await Promise.all([perchOnce(false), bareOnce()]); // warm up: JIT, connections
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so both see the same machine state (GC, CPU frequency).
      await perchOnce(true);
      bareMs.push(await bareOnce());
    }
    const handlerOwn = handler.map((h, i) => h - request.dynamo[i]!);
    const outside = request.total.map((t, i) => t - handler[i]!);
    const [median, bare] = [percentile(request.total, 50), percentile(bareMs, 50)];
    console.log(`Handler overhead per message, local adapter (faq, streamDelayMs 0, JSON mode), ${RUNS} sequential`);
    console.log('requests each; client, server and dynalite share this process (medians of parts need not add up):');
    console.log(durationRow('perch message request', request.total, 'fetch until the body is read'));
    console.log(durationRow('  in DynamoDB calls', request.dynamo, 'SDK + dynalite'));
    console.log(durationRow("  the handler's own work", handlerOwn, 'middy, edge, route: handler less DynamoDB'));
    console.log(`    (${comparedToCostFigure(percentile(handlerOwn, 50), MEASURED.handlerOwnMs)})`);
    console.log(durationRow('  local server and HTTP', outside, 'request less handler: both ends of the socket'));
    console.log(durationRow('bare node http echo', bareMs));
    const [ratio, lessDb] = [median / bare, percentile(request.rest(), 50)];
    const verdict = ratio <= OVERHEAD_TARGET ? 'ok' : 'over target';
    console.log(`  ratio (median)             ${ratio.toFixed(1)}×  target ≤ ${OVERHEAD_TARGET}×  ${verdict}`);
    console.log(
      `  ratio less DynamoDB time   ${(lessDb / bare).toFixed(1)}×  (request less DynamoDB: ${lessDb.toFixed(2)} ms)`,
    );
  } finally {
    await new Promise<void>((done) => echo.close(() => done()));
    await perch.close();
    await bench.close();
  }
}
