import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ClockedPerch, postSession, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';

// A widget id deleted and declared again is a new widget (a new incarnation): no token, session
// or history of the deleted one is reachable through it.
const DOCS = 'https://docs.example.com';
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const faq = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }];
const bot = { name: 'Docs', model: 'local', allowedOrigins: [DOCS], limits: { perMinute: 1000, perDay: 10_000 }, faq };
const withBot = { models: { local: { provider: 'faq' } }, widgets: { w: bot } };
const withoutBot = { models: { local: { provider: 'faq' } }, widgets: { other: bot } };

let perch: ClockedPerch;
beforeEach(async () => {
  perch = await startClockedPerch({ config: withBot, startAt: T0 });
});
afterEach(() => perch.close());

async function oldSessionThenRedeclare() {
  const session = await startSession(perch.url, DOCS, perch.publicKey('w'));
  const asked = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: 'How do I rotate the key?' },
    {
      origin: DOCS,
      token: session.token,
    },
  );
  const answer = (await asked.json()) as { messageId: string };
  await perch.apply(withoutBot);
  await perch.apply(withBot);
  return { session, answer };
}

test('the old token of a re-declared widget is refused session_invalid for messages and feedback', async () => {
  const { session, answer } = await oldSessionThenRedeclare();

  const message = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: 'still there?' },
    {
      origin: DOCS,
      token: session.token,
    },
  );
  const feedback = await postToSession(
    perch.url,
    session.sessionId,
    'feedback',
    { messageId: answer.messageId, rating: 'up' },
    {
      origin: DOCS,
      token: session.token,
    },
  );

  expect([message.status, ((await message.json()) as { error: { code: string } }).error.code]).toEqual([
    401,
    'session_invalid',
  ]);
  expect(feedback.status).toBe(401);
});

test('resuming with the old token of a re-declared widget starts a new session with no history', async () => {
  const { session } = await oldSessionThenRedeclare();

  const resumed = await startSession(perch.url, DOCS, perch.publicKey('w'), session.token);

  expect(resumed.sessionId).not.toBe(session.sessionId);
  expect(resumed.history).toEqual([]);
});

test('a widget that is only updated keeps its incarnation: its sessions go on', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('w'));
  await perch.apply({ ...withBot, widgets: { w: { ...bot, name: 'Docs, renamed' } } });

  const response = await postSession(perch.url, DOCS, { key: perch.publicKey('w'), resume: session.token });

  expect(((await response.json()) as { sessionId: string }).sessionId).toBe(session.sessionId);
});

test('a session and widget written before incarnations existed keep working after the next apply', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('w'));
  const { Items = [] } = await perch.runtime.doc.send(
    new ScanCommand({ TableName: perch.table, ConsistentRead: true }),
  );
  for (const { pk, sk } of Items.filter((item: Record<string, unknown>) => 'incarnation' in item)) {
    const Key = { pk, sk };
    await perch.runtime.doc.send(
      new UpdateCommand({ TableName: perch.table, Key, UpdateExpression: 'REMOVE incarnation' }),
    );
  }
  await perch.apply(withBot);

  const message = await postToSession(
    perch.url,
    session.sessionId,
    'messages',
    { text: 'How do I rotate the key?' },
    {
      origin: DOCS,
      token: session.token,
    },
  );

  expect(message.status).toBe(200);
});
