// Issue 13: listing and exporting one widget's day of 10,000 conversations; cost as widgets and days grow.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { exportConversation, summarizeConversation } from '../functions/conversations/conversation-summary';
import { listConversations } from '../functions/conversations/list-conversations';
import { createDocumentClient } from '../functions/records/client';
import { MANAGED_BY, widgetKey } from '../functions/records/table';
import { expirySeconds, type SessionRecord, sessionKey, type Turn } from '../functions/sessions/session-record';
import { addUtcDays, utcDayStart } from '../functions/usage/day';
import { ensureTable, startLocalDatabase } from '../infra/local/database';
import { type RequestWatch, watchRequests } from './dynamodb-requests';

const TABLE = 'perch-bench';
const WIDGET = 'w';
const DAY = '2026-11-24';
const NOW = utcDayStart(DAY) + 23.5 * 3_600_000;
const RETENTION_DAYS = 30;
const CONVERSATIONS = Number(process.env.PERCH_BENCH_CONVERSATIONS ?? 10_000);
const OTHER_DAYS = 6;
const PER_OTHER_DAY = Number(process.env.PERCH_BENCH_PER_OTHER_DAY ?? 2_000);
const OTHER_WIDGETS = [10, 50];
const PER_OTHER_WIDGET = Number(process.env.PERCH_BENCH_PER_OTHER_WIDGET ?? 1_000);

/**
 * `npm run bench -- conversations` (issue 13), in in-memory dynalite through the real
 * `listConversations`: 1. one widget's day of 10,000 conversations listed (summaries) and exported
 * (JSONL): requests by command, seconds, conversations/s, bytes; 2. the same listing while the
 * table grows with other days of that widget and other widgets' conversations of the same day:
 * its requests and sessions read must not change; listing every widget over 7 days follows the
 * conversations returned. Times are dynalite's (in this process); on AWS the requests are the cost.
 * PERCH_BENCH_CONVERSATIONS, _PER_OTHER_DAY and _PER_OTHER_WIDGET scale the data down.
 */
export default async function conversationsBench(): Promise<void> {
  const db = await startLocalDatabase();
  try {
    await ensureTable(db.client, TABLE);
    const doc = createDocumentClient(db.client);
    const watch = watchRequests(doc);
    const random = seededRandom(13);
    console.log(`node ${process.version}, ${cpus().length} CPUs; day ${DAY}, retention ${RETENTION_DAYS} days`);

    const benchStarted = performance.now();
    let seedStarted = performance.now();
    let items = await seed(doc, widgetSessions(WIDGET, DAY, CONVERSATIONS, random));
    console.log(`seeded ${count(items)} items (${WIDGET}'s record, its sessions of ${DAY}) in ${since(seedStarted)}`);
    console.log(`\none widget, one day (--widget ${WIDGET} --days 1), ${count(CONVERSATIONS)} conversations`);
    const one = await measure(doc, watch, { widgetId: WIDGET, days: 1 });
    const exported = await measure(doc, watch, { widgetId: WIDGET, days: 1, exportLines: true });
    printRows([
      ['', 'requests', 'Query', 'BatchGet', 'seconds', 'DynamoDB s', 'conversations/s', 'bytes'],
      ['list', ...figures(one), ''],
      ['export --jsonl', ...figures(exported), `${(exported.bytes / 1e6).toFixed(1)} MB`],
    ]);
    console.log(
      `  export: ${count(Math.round(exported.bytes / exported.conversations))} bytes a conversation;` +
        ` BatchGet asks for ${(one.sessionsRead / one.batchGets).toFixed(0)} keys a request`,
    );

    const growth: string[][] = [
      ['table holds', 'items', 'requests', 'Query', 'BatchGet', 'seconds', 'sessions read', 'other widgets read'],
    ];
    const everything: string[][] = [
      ['table holds', 'widgets', 'conversations', 'requests', 'Query', 'BatchGet', 'req/1,000 conv', 'seconds'],
    ];
    const failures: string[] = [];
    const measureSetup = async (label: string, widgets: number) => {
      const listed = await measure(doc, watch, { widgetId: WIDGET, days: 1 });
      const readsOthers = listed.sessionsRead !== CONVERSATIONS || listed.foreign > 0;
      const { requests, queries, batchGets, seconds, sessionsRead } = listed;
      const cells = [...[items, requests, queries, batchGets].map(count), seconds.toFixed(2), count(sessionsRead)];
      growth.push([label, ...cells, readsOthers ? 'YES' : 'no']);
      if (readsOthers) failures.push(`${label}: read ${listed.sessionsRead} sessions, ${listed.foreign} foreign`);
      if (listed.requests !== one.requests) failures.push(`${label}: ${listed.requests} requests, not ${one.requests}`);
      const all = await measure(doc, watch, { days: 7 });
      const perThousand = ((1000 * all.requests) / all.conversations).toFixed(1);
      const counts = [widgets, all.conversations, all.requests, all.queries, all.batchGets].map(count);
      everything.push([label, ...counts, perThousand, all.seconds.toFixed(2)]);
    };

    await measureSetup(`${WIDGET} on ${DAY} only`, 1);
    seedStarted = performance.now();
    for (let day = 1; day <= OTHER_DAYS; day++) {
      items += await seed(doc, widgetSessions(WIDGET, addUtcDays(DAY, -day), PER_OTHER_DAY, random, false));
    }
    console.log(`seeded ${OTHER_DAYS} other days of ${WIDGET} × ${count(PER_OTHER_DAY)} in ${since(seedStarted)}`);
    await measureSetup(`+ ${OTHER_DAYS} other days × ${count(PER_OTHER_DAY)}`, 1);
    let others = 0;
    for (const target of OTHER_WIDGETS) {
      seedStarted = performance.now();
      const added = target - others;
      for (; others < target; others++) {
        const id = `other-${String(others).padStart(3, '0')}`;
        items += await seed(doc, widgetSessions(id, DAY, PER_OTHER_WIDGET, random));
      }
      console.log(`seeded ${added} more widgets × ${count(PER_OTHER_WIDGET)} on ${DAY} in ${since(seedStarted)}`);
      await measureSetup(`+ ${target} other widgets × ${count(PER_OTHER_WIDGET)}`, 1 + target);
    }

    console.log(`\ngrowth: --widget ${WIDGET} --days 1 (${DAY}) as the table grows (other widgets' days are ${DAY})`);
    printRows(growth);
    console.log('\nall widgets, --days 7 (no --widget): requests follow the conversations returned');
    printRows(everything);
    console.log(
      `\nreads other widgets' data: ${failures.length === 0 ? 'no' : 'YES'}` +
        ` (sessions read = ${count(CONVERSATIONS)} and the same ${count(one.requests)} requests in every setup)`,
    );
    const scaled = ['CONVERSATIONS', 'PER_OTHER_DAY', 'PER_OTHER_WIDGET'].some((n) => process.env[`PERCH_BENCH_${n}`]);
    console.log(
      `whole bench: ${since(benchStarted)}, seeding included (${scaled ? 'scaled by PERCH_BENCH_*' : 'full scale'})`,
    );
    if (failures.length > 0) throw new Error(`the one-widget listing grew:\n${failures.join('\n')}`);
  } finally {
    await db.close();
  }
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** One listing (summaries) or export (JSONL lines, bytes counted), with its requests and time. */
async function measure(
  doc: DynamoDBDocumentClient,
  watch: RequestWatch,
  { widgetId, days, exportLines = false }: { widgetId?: string; days: number; exportLines?: boolean },
) {
  let sessionsRead = 0;
  let conversations = 0;
  let foreign = 0; // conversations of another widget than the one asked for
  let bytes = 0;
  const summaries = [];
  watch.reset();
  const started = performance.now();
  const pages = listConversations({
    doc,
    table: TABLE,
    days,
    widgetId,
    now: () => NOW,
    onProgress: (progress) => (sessionsRead = progress.sessionsRead),
  });
  for await (const page of pages) {
    if (page.kind !== 'sessions') continue;
    conversations += page.conversations.length;
    for (const session of page.conversations) {
      if (widgetId !== undefined && session.widgetId !== widgetId) foreign += 1;
      if (exportLines) bytes += Buffer.byteLength(`${JSON.stringify(exportConversation(session))}\n`);
      else summaries.push(summarizeConversation(session));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const kinds = requestKinds(watch);
  return {
    requests: watch.total(),
    queries: kinds.Query ?? 0,
    batchGets: kinds.BatchGetItem ?? 0,
    seconds,
    dynamoSeconds: watch.busyMs() / 1000,
    conversations,
    sessionsRead,
    foreign,
    bytes,
  };
}

/** The watch's counts by command, read back from its description of one action. */
function requestKinds(watch: RequestWatch): Record<string, number> {
  const inside = /\((.*)\)/.exec(watch.describe(1))?.[1] ?? '';
  return Object.fromEntries(
    [...inside.matchAll(/(\w+) (\d+)/g)].map(([, name, n]) => [name!, Number(n)] as [string, number]),
  );
}

const figures = (m: Measured) => [
  ...[m.requests, m.queries, m.batchGets].map(count),
  m.seconds.toFixed(2),
  m.dynamoSeconds.toFixed(2),
  count(Math.round(m.conversations / m.seconds)),
];

const count = (n: number) => n.toLocaleString('en-US');

/** Prints rows as a table: the first column left-aligned, the others right-aligned. */
function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) {
    const cells = row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)));
    console.log(`  ${cells.join('  ')}`);
  }
}

/** Writes records in 25-item batches, 4 in flight; returns how many. */
async function seed(doc: DynamoDBDocumentClient, records: Iterable<Record<string, unknown>>): Promise<number> {
  const source = records[Symbol.iterator]();
  let written = 0;
  const worker = async () => {
    for (;;) {
      const batch: Record<string, unknown>[] = [];
      for (let next = source.next(); !next.done; next = source.next()) {
        batch.push(next.value);
        if (batch.length === 25) break;
      }
      if (batch.length === 0) return;
      written += batch.length;
      let pending = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
        pending = (result.UnprocessedItems?.[TABLE] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return written;
}

const since = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

const widgetRecord = (widgetId: string) => ({
  ...widgetKey(widgetId),
  managedBy: MANAGED_BY,
  widgetId,
  name: `Widget ${widgetId}`,
  status: 'active',
  retentionDays: RETENTION_DAYS,
});

const LOREM = (() => {
  const words = (
    'the widget key origin rotate config apply session answer source limit quota day visitor ' +
    'docs page search retention export token model reply how do I can you please thanks error deploy'
  ).split(' ');
  const random = seededRandom(7);
  return Array.from({ length: 20_000 }, () => words[Math.floor(random() * words.length)]).join(' ');
})();

/**
 * `n` conversations of a widget started over `day` (before NOW): 2–6 turns of 200–800 characters,
 * one answer in six rated, two in five with sources, one visitor in ten signed in; the widget's
 * record first unless `withRecord` is false. Lazy, so a large seed never sits in memory whole.
 */
function* widgetSessions(
  widgetId: string,
  day: string,
  n: number,
  random: () => number,
  withRecord = true,
): Generator<Record<string, unknown>> {
  if (withRecord) yield widgetRecord(widgetId);
  const start = utcDayStart(day);
  const span = Math.min(86_400_000, NOW - start) - 3_600_000;
  for (let i = 0; i < n; i++) {
    const sessionId = randomUUID();
    const createdAt = start + Math.floor((i / n) * span + random() * (span / n));
    const turns: Record<string, Turn> = {};
    const length = 2 + Math.floor(random() * 5);
    for (let t = 0; t < length; t++) {
      const id = `${sessionId.slice(0, 8)}-${t}`;
      const from = Math.floor(random() * (LOREM.length - 800));
      const turn: Turn = {
        id,
        role: t % 2 === 0 ? 'visitor' : 'assistant',
        text: LOREM.slice(from, from + 200 + Math.floor(random() * 600)),
        at: createdAt + t * 20_000,
      };
      if (turn.role === 'assistant' && random() < 1 / 6) turn.rating = random() < 0.75 ? 'up' : 'down';
      if (turn.role === 'assistant' && random() < 0.4) {
        turn.sources = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, s) => ({
          title: `Guide › Section ${s + 1}`,
          path: `docs/guide-${s}.md`,
          url: `https://docs.example.com/guide-${s}`,
        }));
      }
      turns[id] = turn;
    }
    yield {
      ...sessionKey(sessionId),
      sessionId,
      widgetId,
      keyVersion: 1,
      origin: 'https://docs.example.com',
      createdAt,
      ...(random() < 0.1 ? { sub: `user-${Math.floor(random() * 1000)}` } : {}),
      expiresAt: expirySeconds(createdAt + (length - 1) * 20_000, RETENTION_DAYS),
      turns,
    } satisfies SessionRecord;
  }
}

/** mulberry32: the same seeded data on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
