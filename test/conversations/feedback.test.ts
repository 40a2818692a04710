import { sessionKey } from '../../functions/sessions/session-record';
import {
  type ClockedPerch,
  postToSession,
  type StartedSession,
  startClockedPerch,
  startConversation,
} from '../api/clocked-perch';

const DOCS = 'https://docs.example.com';
const faq = [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation and apply.' }];
let perch: ClockedPerch;

beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: Date.UTC(2026, 10, 24, 12),
    config: {
      models: { local: { provider: 'faq' } },
      widgets: {
        'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [DOCS], faq },
        quiet: { name: 'Quiet', model: 'local', allowedOrigins: [DOCS], faq, feedback: false },
      },
    },
  });
});
afterAll(() => perch.close());

interface Conversation {
  session: StartedSession;
  answerId: string;
  questionId: string;
}

async function converse(widgetId = 'docs-bot'): Promise<Conversation> {
  const { messageId, ...session } = await startConversation(perch, DOCS, widgetId, 'rotate the key?');
  const turns = await storedTurns(session.sessionId);
  return { session, answerId: messageId, questionId: Object.keys(turns).find((id) => id !== messageId)! };
}

const rate = (session: StartedSession, body: unknown, token = session.token) =>
  postToSession(perch.url, session.sessionId, 'feedback', body, { origin: DOCS, token });
const storedTurns = async (sessionId: string) =>
  ((await perch.runtimeItems()).get(`${sessionKey(sessionId).pk}|SESSION`)?.turns ?? {}) as Record<
    string,
    { role: string; rating?: string }
  >;
const refusal = async (response: Response) => [
  response.status,
  ((await response.json()) as { error: { code: string } }).error.code,
];

test('a rating is stored on the answer and answered 204 with the CORS grant', async () => {
  const { session, answerId } = await converse();

  const response = await rate(session, { messageId: answerId, rating: 'down' });

  expect([response.status, await response.text(), response.headers.get('access-control-allow-origin')]).toEqual([
    204,
    '',
    DOCS,
  ]);
  expect((await storedTurns(session.sessionId))[answerId]).toMatchObject({ role: 'assistant', rating: 'down' });
});

test('a second rating replaces the first', async () => {
  const { session, answerId } = await converse();
  await rate(session, { messageId: answerId, rating: 'down' });
  await rate(session, { messageId: answerId, rating: 'up' });
  expect((await storedTurns(session.sessionId))[answerId]?.rating).toBe('up');
});

test.each<[string, (c: Conversation, other: Conversation) => unknown]>([
  ["the visitor's own turn", (c) => ({ messageId: c.questionId, rating: 'up' })],
  ['an unknown message id', () => ({ messageId: '00000000-0000-4000-8000-000000000000', rating: 'up' })],
  ['an answer of another session', (_c, other) => ({ messageId: other.answerId, rating: 'up' })],
  ['a rating other than up or down', (c) => ({ messageId: c.answerId, rating: 'meh' })],
  ['a message id that is not a uuid', () => ({ messageId: 'turns', rating: 'up' })],
  ['an extra field', (c) => ({ messageId: c.answerId, rating: 'up', role: 'assistant' })],
])('rating %s is refused 400 bad_request, changes no session and is counted', async (_name, body) => {
  const conversation = await converse();
  const other = await converse();
  const sessionsOnly = async () => [...(await perch.runtimeItems())].filter(([key]) => key.startsWith('SESSION#'));
  const before = await sessionsOnly();
  const refused = async () =>
    ((await perch.counter('docs-bot'))?.refusals as Record<string, number> | undefined)?.bad_request ?? 0;
  const refusedBefore = await refused();

  expect(await refusal(await rate(conversation.session, body(conversation, other)))).toEqual([400, 'bad_request']);
  expect(await sessionsOnly()).toEqual(before);
  expect(await refused()).toBe(refusedBefore + 1);
});

test('a widget with feedback off refuses ratings', async () => {
  const { session, answerId } = await converse('quiet');
  expect(await refusal(await rate(session, { messageId: answerId, rating: 'up' }))).toEqual([400, 'bad_request']);
  expect((await storedTurns(session.sessionId))[answerId]?.rating).toBeUndefined();
});

test("another session's token is refused 401 session_invalid", async () => {
  const { session, answerId } = await converse();
  const other = await converse();
  expect(await refusal(await rate(session, { messageId: answerId, rating: 'up' }, other.session.token))).toEqual([
    401,
    'session_invalid',
  ]);
});
