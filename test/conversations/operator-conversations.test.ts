import { exportConversation, summarizeConversation } from '../../functions/conversations/conversation-summary';
import { createEraser } from '../../functions/conversations/erase-conversations';
import { type ConversationPage, listConversations } from '../../functions/conversations/list-conversations';
import { findSession } from '../../functions/conversations/stored-conversations';
import {
  type ClockedPerch,
  postSession,
  postToSession,
  type StartedSession,
  startClockedPerch,
} from '../api/clocked-perch';
import { mint, SITE_SECRET } from '../identity/identity-tokens';

// What an operator reads, exports and erases (DESIGN.md § Operators' conversations), through
// the real handlers on dynalite: conversations are made by visitors, listed through the
// conversation indexes, and erased so that nothing holding their text or identity is left.
const SITE = 'https://app.example.com';
const DAY = 86_400_000;
const TODAY = Date.UTC(2026, 11, 2, 12, 0, 0);
let perch: ClockedPerch;

const widget = (extra: Record<string, unknown> = {}) => ({
  name: 'Help',
  model: 'local',
  allowedOrigins: [SITE],
  faq: [
    { question: 'How do I reset my password?', answer: 'Use the Forgot password link on the sign-in page.' },
    { question: 'Where is my invoice?', answer: 'Invoices (factures) are under Billing.' },
  ],
  limits: { perMinute: 1000, perDay: 10_000 },
  ...extra,
});

const at = (ms: number) => perch.clock.set(ms);
const start = async (widgetId: string, extra: Record<string, unknown> = {}) => {
  perch.clock.advance(1000); // distinct start times: the listing's order is the order of starts
  const response = await postSession(perch.url, SITE, { key: perch.publicKey(widgetId), ...extra });
  expect(response.status).toBe(201);
  return (await response.json()) as StartedSession;
};
const ask = async (session: StartedSession, text: string) => {
  const response = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text },
    { origin: SITE, token: session.token },
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { messageId: string }).messageId;
};
const rate = async (session: StartedSession, messageId: string, rating: 'up' | 'down') => {
  const body = { messageId, rating };
  const response = await postToSession(perch.url, session.sessionId, 'feedback', body, {
    origin: SITE,
    token: session.token,
  });
  expect(response.status).toBe(204);
};
const signedIn = async (sub: string) => ({ identity: await mint({ sub }, { now: perch.clock.now() }) });

let twoDaysAgo: StartedSession; // docs: password, rated down
let yesterday: StartedSession; // shop: invoice
let today: StartedSession; // docs: "facture", rated up
let member1a: StartedSession;
let member1b: StartedSession;
let member2: StartedSession;

beforeAll(async () => {
  perch = await startClockedPerch({
    config: {
      models: { local: { provider: 'faq' } },
      widgets: {
        docs: widget({ feedback: true, retentionDays: 30 }),
        shop: widget({ retentionDays: 7 }),
        members: widget({ identity: { secretEnv: 'SITE_IDENTITY_SECRET' } }),
      },
    },
    startAt: TODAY - 2 * DAY,
    env: { SITE_IDENTITY_SECRET: SITE_SECRET },
  });
  twoDaysAgo = await start('docs');
  await rate(twoDaysAgo, await ask(twoDaysAgo, 'How do I reset my password?'), 'down');
  at(TODAY - DAY);
  yesterday = await start('shop');
  await ask(yesterday, 'Where is my invoice?');
  await start('docs'); // opened, never asked: counted, not listed
  at(TODAY);
  today = await start('docs');
  await rate(today, await ask(today, 'Où est ma FACTURE ?'), 'up');
  member1a = await start('members', await signedIn('user-1'));
  await ask(member1a, 'How do I reset my password?');
  member1b = await start('members', await signedIn('user-1')); // the latest conversation resumes
  member2 = await start('members', await signedIn('user-2'));
  await ask(member2, 'Where is my invoice?');
  at(TODAY + 60_000);
});
afterAll(() => perch?.close());

const pagesOf = async (options: Partial<Parameters<typeof listConversations>[0]> = {}) => {
  const pages: ConversationPage[] = [];
  for await (const page of listConversations({
    doc: perch.runtime.doc,
    table: perch.table,
    now: perch.clock.now,
    ...options,
  }))
    pages.push(page);
  return pages;
};
/** widget → day → session ids, as listed (days with no match left out). */
const listed = async (options: Partial<Parameters<typeof listConversations>[0]> = {}) => {
  const result: Record<string, Record<string, string[]>> = {};
  for (const page of await pagesOf(options)) {
    const days = (result[page.widget.widgetId] ??= {});
    if (page.kind === 'sessions' && page.conversations.length > 0)
      (days[page.day] ??= []).push(...page.conversations.map((s) => s.sessionId));
  }
  return result;
};

test('lists per widget and start day across days and widgets; sessions without a message are counted', async () => {
  expect(member1b.sessionId).toBe(member1a.sessionId);
  expect(await listed()).toEqual({
    docs: { '2026-11-30': [twoDaysAgo.sessionId], '2026-12-02': [today.sessionId] },
    members: { '2026-12-02': [member1a.sessionId, member2.sessionId] },
    shop: { '2026-12-01': [yesterday.sessionId] },
  });
  const docsYesterday = (await pagesOf({ widgetId: 'docs' })).find(
    (p) => p.kind === 'sessions' && p.day === '2026-12-01',
  );
  expect(docsYesterday).toMatchObject({ conversations: [], withoutMessage: 1 });
});

test.each<[string, Partial<Parameters<typeof listConversations>[0]>, () => Record<string, Record<string, string[]>>]>([
  ['one widget', { widgetId: 'shop' }, () => ({ shop: { '2026-12-01': [yesterday.sessionId] } })],
  ['today only', { days: 1, widgetId: 'docs' }, () => ({ docs: { '2026-12-02': [today.sessionId] } })],
  [
    'rated down',
    { widgetId: 'docs', filter: { rating: 'down' } },
    () => ({
      docs: { '2026-11-30': [twoDaysAgo.sessionId] },
    }),
  ],
  [
    'rated up',
    { widgetId: 'docs', filter: { rating: 'up' } },
    () => ({
      docs: { '2026-12-02': [today.sessionId] },
    }),
  ],
  [
    "a visitor's words, any case or accent",
    { widgetId: 'docs', filter: { search: 'facturé' } },
    () => ({
      docs: { '2026-12-02': [today.sessionId] },
    }),
  ],
  [
    'words of the answer',
    { widgetId: 'shop', filter: { search: 'under billing' } },
    () => ({
      shop: { '2026-12-01': [yesterday.sessionId] },
    }),
  ],
  ['nothing matches', { widgetId: 'shop', filter: { search: 'refund' } }, () => ({ shop: {} })],
])('filters: %s', async (_label, options, expected) => {
  expect(await listed(options)).toEqual(expected());
});

test('one conversation: turns in order with the rating, summarized for the listing and exported whole', async () => {
  const session = (await findSession({ doc: perch.runtime.doc, table: perch.table }, twoDaysAgo.sessionId, TODAY))!;
  expect(summarizeConversation(session)).toEqual({
    sessionId: twoDaysAgo.sessionId,
    widgetId: 'docs',
    day: '2026-11-30',
    startedAt: new Date(TODAY - 2 * DAY + 1000).toISOString(),
    lastActivityAt: expect.stringMatching(/^2026-11-30T12:00:01/),
    turnCount: 2,
    ratings: { up: 0, down: 1 },
    origin: SITE,
    preview: 'How do I reset my password?',
  });
  const exported = JSON.parse(JSON.stringify(exportConversation(session)));
  expect(Object.keys(exported)).toEqual([
    'sessionId',
    'widgetId',
    'day',
    'startedAt',
    'origin',
    'lastActivityAt',
    'expiresAt',
    'ratings',
    'turns',
  ]);
  expect(exported.turns).toEqual([
    { id: expect.any(String), role: 'visitor', text: 'How do I reset my password?', at: expect.any(String) },
    {
      id: expect.any(String),
      role: 'assistant',
      text: 'Use the Forgot password link on the sign-in page.',
      at: expect.any(String),
      rating: 'down',
    },
  ]);
  const member = (await findSession({ doc: perch.runtime.doc, table: perch.table }, member2.sessionId, TODAY))!;
  expect(exportConversation(member).sub).toBe('user-2');
});

test('retention: past retentionDays a conversation is never listed or found; the oldest kept day is said', async () => {
  const later = TODAY + 8 * DAY; // shop keeps 7 days, docs 30
  const pages = await pagesOf({ now: () => later, days: 14 });
  const ids = pages.flatMap((p) => (p.kind === 'sessions' ? p.conversations.map((s) => s.sessionId) : []));
  expect(ids).not.toContain(yesterday.sessionId);
  expect(ids).toContain(twoDaysAgo.sessionId);
  const shop = pages.find((p) => p.kind === 'widget' && p.widget.widgetId === 'shop');
  expect(shop).toMatchObject({ widget: { retentionDays: 7, oldestKeptDay: '2026-12-03' } });
  expect(await findSession({ doc: perch.runtime.doc, table: perch.table }, yesterday.sessionId, later)).toBeUndefined();
});

/** Every item of the table, as JSON text (counters and config included). */
const everyItem = async () => [...(await perch.runtimeItems()).values()].map((item) => JSON.stringify(item));
const eraser = () => createEraser({ doc: perch.runtime.doc, table: perch.table, now: perch.clock.now });

describe('erasure', () => {
  test('by session: only the conversation goes, usage counters stay, a second erase is a no-op', async () => {
    const countersBefore = (await perch.runtimeItems()).size;
    const docsCounter = await perch.counter('docs', '2026-11-30');
    const erased = await eraser().eraseSession(twoDaysAgo.sessionId);
    expect(erased).toEqual([
      {
        pk: `SESSION#${twoDaysAgo.sessionId}`,
        sk: 'SESSION',
        holds: 'conversation',
        sessionId: twoDaysAgo.sessionId,
        widgetId: 'docs',
        turnCount: 2,
      },
    ]);
    const items = await everyItem();
    expect(items.filter((item) => item.includes(twoDaysAgo.sessionId))).toEqual([]);
    expect(items.filter((item) => item.includes('Forgot password') && item.includes('"docs"'))).toEqual([]);
    expect((await perch.runtimeItems()).size).toBe(countersBefore - 1);
    expect(await perch.counter('docs', '2026-11-30')).toEqual(docsCounter);
    expect(await eraser().eraseSession(twoDaysAgo.sessionId)).toEqual([]);
    expect(await listed({ widgetId: 'docs' })).toEqual({ docs: { '2026-12-02': [today.sessionId] } });
  });

  test('by session: reloading the page starts fresh, the resume token brings back no history', async () => {
    const resumed = await start('docs', { resume: today.token });
    expect(resumed.sessionId).toBe(today.sessionId);
    expect(resumed.history.length).toBe(2);
    await eraser().eraseSession(today.sessionId);
    const fresh = await start('docs', { resume: today.token });
    expect(fresh.sessionId).not.toBe(today.sessionId);
    expect(fresh.history).toEqual([]);
    const reply = await postToSession(
      perch.url,
      today.sessionId,
      'messages',
      { text: 'still there?' },
      {
        origin: SITE,
        token: today.token,
      },
    );
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(await findSession({ doc: perch.runtime.doc, table: perch.table }, today.sessionId, TODAY)).toBeUndefined();
  });

  test('by sub: every conversation of that visitor and its signed-in pointer; other visitors keep theirs', async () => {
    const erased = await eraser().eraseIdentity('user-1');
    expect(erased.map(({ holds, sessionId }) => [holds, sessionId])).toEqual([
      ['conversation', member1a.sessionId],
      ['signed-in pointer', member1a.sessionId],
    ]);
    expect(erased[1]!.pk).toMatch(/^IDENTITY#members#/);
    const items = await everyItem();
    expect(items.filter((item) => item.includes('user-1') || item.includes(erased[1]!.pk))).toEqual([]);
    expect(items.filter((item) => item.includes(member1a.sessionId))).toEqual([]);
    expect(items.some((item) => item.includes('user-2'))).toBe(true);
    expect(await eraser().eraseIdentity('user-1')).toEqual([]);
  });

  test('by sub: the same visitor signing in on another device finds no history', async () => {
    const again = await start('members', await signedIn('user-1'));
    expect(again.sessionId).not.toBe(member1a.sessionId);
    expect(again.history).toEqual([]);
    expect((await eraser().eraseIdentity('user-1')).map((item) => item.holds)).toEqual([
      'conversation',
      'signed-in pointer',
    ]);
  });

  test('by sub within one widget leaves that sub in other widgets alone', async () => {
    expect(await eraser().eraseIdentity('user-2', { widgetId: 'docs' })).toEqual([]);
    expect(await findSession({ doc: perch.runtime.doc, table: perch.table }, member2.sessionId, TODAY)).toBeDefined();
  });
});
