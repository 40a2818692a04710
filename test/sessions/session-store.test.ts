import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/records/client';
import { MANAGED_BY, widgetKey } from '../../functions/records/table';
import { createSessionStore, MAX_STORED_TEXT_BYTES, MAX_STORED_TURNS, MAX_TURN_TEXT_BYTES, orderedTurns, sessionKey, type SessionRecord, type Turn } from '../../functions/sessions/session-record';
import { ensureTable, startLocalDatabase, type LocalDatabase } from '../../infra/local/database';
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
  await doc.send(new PutCommand({ TableName: table, Item: { ...widgetKey('docs-bot'), managedBy: MANAGED_BY, widgetId: 'docs-bot' } }));
});
afterAll(() => database.close());

async function newSession(expiresAt = NOW / 1000 + 86_400): Promise<SessionRecord> {
  const sessionId = randomUUID();
  const session: SessionRecord = { ...sessionKey(sessionId), sessionId, widgetId: 'docs-bot', keyVersion: 0, origin: 'https://docs.example.com', createdAt: NOW, expiresAt, turns: {} };
  await store.create(session);
  return session;
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
  let session = await newSession();
  for (let n = 1; n <= 25; n++) {
    await store.appendTurns(session, exchange(n, NOW + n * 1000), NOW / 1000 + 86_400);
    session = (await store.find(session.sessionId, NOW))!;
  }

  const turns = orderedTurns(session);
  expect(turns).toHaveLength(MAX_STORED_TURNS);
  expect([turns[0]!.text, turns.at(-1)!.text]).toEqual(['question 6', 'answer 25']);
});

test('two replies appended at once to the same session both land', async () => {
  const session = await newSession();
  await Promise.all([store.appendTurns(session, exchange(1, NOW), NOW / 1000 + 86_400), store.appendTurns(session, exchange(2, NOW + 5), NOW / 1000 + 86_400)]);
  expect(orderedTurns((await store.find(session.sessionId, NOW))!).map((t) => t.text)).toEqual(['question 1', 'answer 1', 'question 2', 'answer 2']);
});

test('an appended turn pushes the expiry to retentionDays after it', async () => {
  const session = await newSession(NOW / 1000 + 60);
  await store.appendTurns(session, exchange(1, NOW), NOW / 1000 + 30 * 86_400);
  expect((await doc.send(new GetCommand({ TableName: table, Key: sessionKey(session.sessionId) }))).Item?.expiresAt).toBe(NOW / 1000 + 30 * 86_400);
});

test('an expired session is invisible to every reader, though dynalite still holds it', async () => {
  const session = await newSession(NOW / 1000 - 1);

  expect(await store.find(session.sessionId, NOW)).toBeUndefined();
  expect(await store.findWithWidget(session.sessionId, 'docs-bot', NOW)).toEqual({ session: undefined, widget: expect.objectContaining({ widgetId: 'docs-bot' }) });
  expect(await store.rate(session.sessionId, 'docs-bot', randomUUID(), 'up', NOW)).toBe(false);
});

test('appending to a session that no longer exists fails rather than creating a stray item', async () => {
  const ghost = { ...(await newSession()), ...sessionKey('00000000-0000-4000-8000-000000000000'), sessionId: '00000000-0000-4000-8000-000000000000' };
  await expect(store.appendTurns(ghost, exchange(1, NOW), NOW / 1000 + 60)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
});

test("the local sweeper deletes expired items and leaves live ones and the config's items", async () => {
  const expired = await newSession(NOW / 1000 - 1);
  const live = await newSession();

  expect(await sweepExpiredItems(doc, table, NOW)).toBeGreaterThanOrEqual(1);

  const item = async (key: { pk: string; sk: string }) => (await doc.send(new GetCommand({ TableName: table, Key: key }))).Item;
  expect(await item(sessionKey(expired.sessionId))).toBeUndefined();
  expect(await item(sessionKey(live.sessionId))).toBeDefined();
  expect(await item(widgetKey('docs-bot'))).toBeDefined();
});

test('long turns never grow the session item past DynamoDB’s 400 KB: the oldest are dropped by size', async () => {
  let session = await newSession();
  const visitorText = '漢'.repeat(4000); // 12 KB of UTF-8, the longest a visitor may send
  const answer = '答'.repeat(10_000); // 30 KB
  for (let n = 1; n <= 15; n++) {
    const at = NOW + n * 1000;
    await store.appendTurns(
      session,
      [
        { id: randomUUID(), role: 'visitor', text: visitorText, at },
        { id: randomUUID(), role: 'assistant', text: `${n}:${answer}`, at: at + 1 },
      ],
      NOW / 1000 + 86_400,
    );
    session = (await store.find(session.sessionId, NOW))!;
  }

  const turns = orderedTurns(session);
  const bytes = turns.reduce((sum, turn) => sum + Buffer.byteLength(turn.text), 0);
  expect(bytes).toBeLessThanOrEqual(MAX_STORED_TEXT_BYTES);
  expect(turns.at(-1)!.text.startsWith('15:')).toBe(true);
  expect(turns.length).toBeLessThan(30);
});

test('an answer longer than one turn may hold is stored truncated, marked with an ellipsis', async () => {
  const session = await newSession();
  const long = 'x'.repeat(MAX_TURN_TEXT_BYTES + 5000);
  await store.appendTurns(session, [{ id: randomUUID(), role: 'assistant', text: long, at: NOW }], NOW / 1000 + 86_400);

  const [stored] = orderedTurns((await store.find(session.sessionId, NOW))!);
  expect(Buffer.byteLength(stored!.text)).toBeLessThanOrEqual(MAX_TURN_TEXT_BYTES);
  expect(stored!.text.endsWith('…')).toBe(true);
});
