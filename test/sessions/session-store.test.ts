import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { MANAGED_BY, widgetKey } from '../../functions/records/table';
import {
  createSessionStore,
  MAX_STORED_TEXT_BYTES,
  MAX_STORED_TURNS,
  MAX_TURN_TEXT_BYTES,
  orderedTurns,
  type SessionRecord,
  sessionKey,
  type Turn,
} from '../../functions/sessions/session-record';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '../../infra/local/database';
import { sweepExpiredItems } from '../../infra/local/sweeper';

const table = 'session-store';
const NOW = Date.UTC(2026, 10, 24, 12);
let database: LocalDatabase;
let doc: DynamoDBDocumentClient;
let store: ReturnType<typeof createSessionStore>;

beforeAll(async () => {
  database = await startLocalDatabase();
  await ensureTable(database.client, table);
  doc = createDocumentClient(database.client);
  store = createSessionStore({ doc, table });
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...widgetKey('docs-bot'), managedBy: MANAGED_BY, widgetId: 'docs-bot' },
    }),
  );
});
afterAll(() => database.close());

async function newSession(expiresAt = NOW / 1000 + 86_400): Promise<SessionRecord> {
  const sessionId = randomUUID();
  const session: SessionRecord = {
    ...sessionKey(sessionId),
    sessionId,
    widgetId: 'docs-bot',
    keyVersion: 0,
    origin: 'https://docs.example.com',
    createdAt: NOW,
    expiresAt,
    turns: {},
  };
  await store.create(session);
  return session;
}

/** One reply as the messages route stores it: claim the session, then append to what the claim returned. */
async function reply(sessionId: string, turns: Turn[], expiresAt = NOW / 1000 + 86_400): Promise<void> {
  const replyId = randomUUID();
  const claimed = await store.claim(sessionId, replyId, NOW, NOW + 60_000);
  if (!claimed) throw new Error('session busy');
  await store.appendTurns(claimed, replyId, turns, expiresAt);
}

const exchange = (n: number, at: number): Turn[] => [
  { id: randomUUID(), role: 'visitor', text: `question ${n}`, at },
  { id: randomUUID(), role: 'assistant', text: `answer ${n}`, at: at + 1 },
];

test('a session id is created once: a second create with the same id fails', async () => {
  const session = await newSession();
  await expect(store.create(session)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
});

test(`the session keeps its last ${MAX_STORED_TURNS} turns, dropping the oldest first`, async () => {
  const session = await newSession();
  for (let n = 1; n <= 25; n++) await reply(session.sessionId, exchange(n, NOW + n * 1000));

  const turns = orderedTurns((await store.find(session.sessionId, NOW))!);
  expect(turns).toHaveLength(MAX_STORED_TURNS);
  expect([turns[0]!.text, turns.at(-1)!.text]).toEqual(['question 6', 'answer 25']);
});

test('a session takes one reply at a time: of simultaneous claims exactly one wins until it appends', async () => {
  const session = await newSession();
  const ids = Array.from({ length: 20 }, () => randomUUID());

  const claims = await Promise.all(ids.map((id) => store.claim(session.sessionId, id, NOW, NOW + 60_000)));

  const winners = claims.flatMap((claimed, i) => (claimed ? [{ claimed, id: ids[i]! }] : []));
  expect(winners).toHaveLength(1);
  await store.appendTurns(winners[0]!.claimed, winners[0]!.id, exchange(1, NOW), NOW / 1000 + 86_400);
  expect(await store.claim(session.sessionId, randomUUID(), NOW, NOW + 60_000)).toBeDefined();
});

test('a claim whose reply died is taken over once it expires; a released claim at once', async () => {
  const session = await newSession();
  await store.claim(session.sessionId, 'dead-reply', NOW, NOW + 60_000);

  expect(await store.claim(session.sessionId, 'next', NOW + 59_999, NOW + 120_000)).toBeUndefined();
  expect(await store.claim(session.sessionId, 'next', NOW + 60_001, NOW + 120_000)).toBeDefined();
  await store.release(session.sessionId, 'dead-reply'); // not its claim any more: changes nothing
  expect(await store.claim(session.sessionId, 'third', NOW + 60_002, NOW + 120_000)).toBeUndefined();
  await store.release(session.sessionId, 'next');
  expect(await store.claim(session.sessionId, 'third', NOW + 60_002, NOW + 120_000)).toBeDefined();
});

test('a reply whose claim was taken over stores nothing: the caps are computed by one holder only', async () => {
  const session = await newSession();
  const stale = (await store.claim(session.sessionId, 'slow', NOW - 10, NOW - 1))!;
  await reply(session.sessionId, exchange(1, NOW + 10));

  await expect(store.appendTurns(stale, 'slow', exchange(2, NOW + 20), NOW / 1000 + 60)).rejects.toMatchObject({
    name: 'ConditionalCheckFailedException',
  });
  expect(orderedTurns((await store.find(session.sessionId, NOW))!).map((t) => t.text)).toEqual([
    'question 1',
    'answer 1',
  ]);
});

test('an appended turn pushes the expiry to retentionDays after it', async () => {
  const session = await newSession(NOW / 1000 + 60);
  await reply(session.sessionId, exchange(1, NOW), NOW / 1000 + 30 * 86_400);
  expect(
    (await doc.send(new GetCommand({ TableName: table, Key: sessionKey(session.sessionId) }))).Item?.expiresAt,
  ).toBe(NOW / 1000 + 30 * 86_400);
});

test('an expired session is invisible to every reader, though dynalite still holds it', async () => {
  const session = await newSession(NOW / 1000 - 1);

  expect(await store.find(session.sessionId, NOW)).toBeUndefined();
  expect(await store.findWithWidget(session.sessionId, 'docs-bot', NOW)).toEqual({
    session: undefined,
    widget: expect.objectContaining({ widgetId: 'docs-bot' }),
  });
  expect(await store.rate(session.sessionId, 'docs-bot', randomUUID(), 'up', NOW)).toBe(false);
});

test('claiming or appending to a session that no longer exists fails rather than creating a stray item', async () => {
  const ghostId = '00000000-0000-4000-8000-000000000000';
  const ghost = { ...(await newSession()), ...sessionKey(ghostId), sessionId: ghostId };

  expect(await store.claim(ghostId, 'r', NOW, NOW + 60_000)).toBeUndefined();
  await expect(store.appendTurns(ghost, 'r', exchange(1, NOW), NOW / 1000 + 60)).rejects.toMatchObject({
    name: 'ConditionalCheckFailedException',
  });
  expect((await doc.send(new GetCommand({ TableName: table, Key: sessionKey(ghostId) }))).Item).toBeUndefined();
});

test("the local sweeper deletes expired items and leaves live ones and the config's items", async () => {
  const expired = await newSession(NOW / 1000 - 1);
  const live = await newSession();

  expect(await sweepExpiredItems(doc, table, NOW)).toBeGreaterThanOrEqual(1);

  const item = async (key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: table, Key: key }))).Item;
  expect(await item(sessionKey(expired.sessionId))).toBeUndefined();
  expect(await item(sessionKey(live.sessionId))).toBeDefined();
  expect(await item(widgetKey('docs-bot'))).toBeDefined();
});

test('long turns never grow the session item past DynamoDB’s 400 KB: the oldest are dropped by size', async () => {
  const session = await newSession();
  const visitorText = '漢'.repeat(4000); // 12 KB of UTF-8, the longest a visitor may send
  const answer = '答'.repeat(10_000); // 30 KB
  for (let n = 1; n <= 15; n++) {
    const at = NOW + n * 1000;
    await reply(session.sessionId, [
      { id: randomUUID(), role: 'visitor', text: visitorText, at },
      { id: randomUUID(), role: 'assistant', text: `${n}:${answer}`, at: at + 1 },
    ]);
  }

  const turns = orderedTurns((await store.find(session.sessionId, NOW))!);
  const bytes = turns.reduce((sum, turn) => sum + Buffer.byteLength(turn.text), 0);
  expect(bytes).toBeLessThanOrEqual(MAX_STORED_TEXT_BYTES);
  expect(turns.at(-1)!.text.startsWith('15:')).toBe(true);
  expect(turns.length).toBeLessThan(30);
});

test('an answer longer than one turn may hold is stored truncated, marked with an ellipsis', async () => {
  const session = await newSession();
  const long = 'x'.repeat(MAX_TURN_TEXT_BYTES + 5000);
  await reply(session.sessionId, [{ id: randomUUID(), role: 'assistant', text: long, at: NOW }]);

  const [stored] = orderedTurns((await store.find(session.sessionId, NOW))!);
  expect(Buffer.byteLength(stored!.text)).toBeLessThanOrEqual(MAX_TURN_TEXT_BYTES);
  expect(stored!.text.endsWith('…')).toBe(true);
});
