import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { CompletionEvent, ModelProvider } from '../../functions/providers/model-provider';
import {
  MAX_STORED_TEXT_BYTES,
  MAX_STORED_TURNS,
  orderedTurns,
  type SessionRecord,
  sessionKey,
} from '../../functions/sessions/session-record';
import { type ClockedPerch, postToSession, startClockedPerch, startSession } from '../api/clocked-perch';

// A session answers one message at a time, so its transcript caps (turns, UTF-8 bytes) hold under
// any concurrency; a second message while one is answered is 409 session_busy and counts nothing.
const DOCS = 'https://docs.example.com';
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

let called: (release: () => void) => void = () => undefined;
/** Resolves with a function that lets the model answer, once the model was called. */
const modelCalled = () => new Promise<() => void>((resolve) => (called = resolve));
let beforeDone: () => Promise<void> = async () => undefined;
// Answers with 20,000 multi-byte characters (60 KB of UTF-8), once the test lets it.
const held: ModelProvider = {
  complete: () =>
    (async function* (): AsyncGenerator<CompletionEvent> {
      await new Promise<void>((resolve) => called(resolve));
      yield { type: 'delta', text: '答'.repeat(20_000) };
      await beforeDone();
      yield { type: 'usage', inputTokens: 10, outputTokens: 10 };
    })(),
};

let perch: ClockedPerch;
beforeAll(async () => {
  perch = await startClockedPerch({
    startAt: T0,
    config: {
      models: { scripted: { provider: 'bedrock', modelId: 'test-model' } },
      widgets: {
        'docs-bot': {
          name: 'Docs',
          model: 'scripted',
          allowedOrigins: [DOCS],
          limits: { perMinute: 1000, perDay: 10_000 },
        },
      },
    },
    resolveProvider: async () => ({ ready: true, provider: held, maxOutputTokens: 300 }),
  });
});
afterAll(() => perch.close());
beforeEach(() => perch.clock.advance(86_400_000));

const storedSession = async (sessionId: string) =>
  (await perch.runtimeItems()).get(`${sessionKey(sessionId).pk}|SESSION`) as SessionRecord | undefined;
const VISITOR_TEXT = '漢'.repeat(4000); // the longest a visitor may send: 12 KB of UTF-8

test('30 concurrent 4,000-character messages on one session: one is answered, 29 are 409 session_busy', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  const send = () =>
    postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text: VISITOR_TEXT },
      { origin: DOCS, token: session.token },
    );

  const calling = modelCalled();
  const first = send();
  const release = await calling;
  const others = await Promise.all(Array.from({ length: 29 }, send));
  release();
  const answered = await first;

  expect(answered.status).toBe(200);
  expect(others.map((r) => r.status)).toEqual(Array(29).fill(409));
  expect(((await others[0]!.json()) as { error: { code: string; message: string } }).error).toEqual({
    code: 'session_busy',
    message: 'Please wait for the answer.',
  });
  expect(others[0]!.headers.get('access-control-allow-origin')).toBe(DOCS);
  expect(await perch.counter('docs-bot')).toMatchObject({ messages: 1, refusals: { session_busy: 29 } });
});

test('message after message, the stored turns stay within the caps in UTF-8 bytes and count', async () => {
  const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
  for (let i = 0; i < 25; i++) {
    const calling = modelCalled();
    const sent = postToSession(
      perch.url,
      session.sessionId,
      'messages',
      { text: VISITOR_TEXT },
      {
        origin: DOCS,
        token: session.token,
      },
    );
    (await calling)();
    expect((await sent).status).toBe(200);
  }

  const turns = orderedTurns((await storedSession(session.sessionId))!);
  expect(turns.length).toBeLessThanOrEqual(MAX_STORED_TURNS);
  expect(turns.reduce((n, turn) => n + Buffer.byteLength(turn.text, 'utf8'), 0)).toBeLessThanOrEqual(
    MAX_STORED_TEXT_BYTES,
  );
  expect((await storedSession(session.sessionId))?.pendingReply).toBeUndefined();
});

test(
  'a reply that fails after admission (its session ' + 'erased mid-answer) is a 500 that gives the count back',
  async () => {
    const session = await startSession(perch.url, DOCS, perch.publicKey('docs-bot'));
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    beforeDone = async () => {
      await perch.runtime.doc.send(new DeleteCommand({ TableName: perch.table, Key: sessionKey(session.sessionId) }));
    };
    try {
      const calling = modelCalled();
      const sent = postToSession(
        perch.url,
        session.sessionId,
        'messages',
        { text: 'hello' },
        { origin: DOCS, token: session.token },
      );
      (await calling)();

      expect((await sent).status).toBe(500);
      expect(await perch.counter('docs-bot')).toMatchObject({ messages: 0 });
      expect(await storedSession(session.sessionId)).toBeUndefined();
    } finally {
      beforeDone = async () => undefined;
      jest.restoreAllMocks();
    }
  },
);
