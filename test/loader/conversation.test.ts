import { createConversation } from '../../loader/src/chat/conversation';

// The panel's conversation API in Node: `fetch` is the boundary, answered here as the API would.
// (No localStorage in Node: the session store keeps the session in memory, as in a blocked browser.)
const API = 'https://api.example.test';
const SOURCES = [
  { title: 'Rotating keys', path: 'docs/keys.md', url: 'https://docs.example.com/keys' },
  { title: 'Limits', path: 'docs/limits.md' },
];
const SESSION = { sessionId: 's1', token: 't1', expiresAt: '2030-01-01T00:00:00Z' };

type Answer = (url: string, init: RequestInit) => Response;
let answer: Answer;
beforeEach(() => {
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => answer(String(url), init ?? {}));
});
afterEach(() => jest.restoreAllMocks());

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const sse = (events: [string, unknown][]) =>
  new Response(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''), {
    headers: { 'Content-Type': 'text/event-stream' },
  });

/** Answers the session start with `history` and the message with `reply`. */
function serve(reply: () => Response, history: unknown[] = []): void {
  answer = (url) => (url.endsWith('/v1/sessions') ? json({ ...SESSION, history }, 201) : reply());
}

test('a streamed reply carries the sources of its done event', async () => {
  const usage = { inputTokens: 1, outputTokens: 2 };
  serve(() =>
    sse([
      ['delta', { text: 'Hel' }],
      ['delta', { text: 'lo' }],
      ['done', { messageId: 'm1', usage, sources: SOURCES }],
    ]),
  );
  const seen: string[] = [];

  const reply = await createConversation({ api: API, key: 'pk_test' }).send('hi', (soFar) => seen.push(soFar));

  expect(seen).toEqual(['Hel', 'Hello']);
  expect(reply).toEqual({ messageId: 'm1', text: 'Hello', sources: [SOURCES[0], { ...SOURCES[1], url: undefined }] });
});

test('a done event without sources (an older server) gives an empty list', async () => {
  serve(() => sse([['done', { messageId: 'm1', usage: {} }]]));

  const reply = await createConversation({ api: API, key: 'pk_test' }).send('hi', () => undefined);

  expect(reply).toEqual({ messageId: 'm1', text: '', sources: [] });
});

test('a JSON reply carries its sources, checked and capped', async () => {
  const many = Array.from({ length: 7 }, (_, i) => ({ title: `T${i}`, path: `p${i}.md` }));
  serve(() => json({ messageId: 'm2', text: 'Hi', usage: {}, sources: [null, ...many] }));

  const reply = await createConversation({ api: API, key: 'pk_test' }).send('hi', () => undefined);

  expect(reply.text).toBe('Hi');
  expect(reply.sources?.map((s) => s.title)).toEqual(['T0', 'T1', 'T2', 'T3', 'T4']);
});

test('resumed history items keep their sources; items without any get an empty list', async () => {
  const history = [
    { id: 'v1', role: 'visitor', text: 'How?' },
    { id: 'a1', role: 'assistant', text: 'Like so.', sources: [...SOURCES, { title: 42 }] },
  ];
  serve(() => json({ messageId: 'm0', text: 'Hi', usage: {} }), history);
  const conversation = createConversation({ api: API, key: 'pk_test' });
  await conversation.send('first', () => undefined); // starts the session this test resumes

  const resumed = await conversation.resume();

  expect(resumed).toEqual([
    { ...history[0], sources: [] },
    { ...history[1], sources: [SOURCES[0], { ...SOURCES[1], url: undefined }] },
  ]);
});
