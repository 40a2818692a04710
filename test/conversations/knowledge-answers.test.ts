import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { parseSse, postToSession, type StartedSession, startSession } from '../api/clocked-perch';
import { DOCS_ORIGIN, knowledgeConfigDir } from './knowledge-perch';

// The faq model answering from documents on the local target: sources on both wires, in the
// transcript and in resumed history; a widget whose artifact is gone is not ready, never a 500.
let dir: string;
let target: LocalTarget;
const open = { allowedOrigins: [DOCS_ORIGIN], limits: { perMinute: 1000, perDay: 10_000 } };

beforeAll(async () => {
  const config = knowledgeConfigDir(
    {
      'docs-bot': {
        name: 'Docs',
        model: 'local',
        knowledge: 'docs',
        faq: [{ question: 'How do I reset my password?', answer: 'Use the Forgot password link.' }],
        ...open,
      },
      unready: { name: 'Unready', model: 'local', knowledge: ['docs', 'gone'], ...open },
    },
    {
      knowledge: {
        docs: { include: ['docs/**/*.md', 'docs/*.html'], url: 'https://acme.example/{slug}#{anchor}' },
        gone: { include: ['docs/billing.md'] },
      },
    },
  );
  dir = config.dir;
  target = await startLocalTarget({
    configFile: config.configFile,
    port: 0,
    dataDir: join(dir, '.perch'),
    log: () => undefined,
  });
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = async (text: string, accept: string, session?: StartedSession, widget = 'docs-bot') => {
  const started =
    session ?? (await startSession(target.apiUrl, DOCS_ORIGIN, target.outputs.widgets[widget]!.publicKey));
  const response = await postToSession(
    target.apiUrl,
    started.sessionId,
    'messages',
    { text },
    { origin: DOCS_ORIGIN, token: started.token, accept },
  );
  return { response, session: started };
};

test('JSON: a question the docs answer quotes the best passage and cites it, with its link', async () => {
  const { response } = await ask('How long do I have to ask for a refund?', 'application/json');
  expect(response.status).toBe(200);
  const body = (await response.json()) as { text: string; sources: unknown[] };
  expect(body.text).toContain('Refunds are granted within 14 days');
  expect(body.sources).toEqual([
    { title: 'Billing › Refunds', path: 'docs/billing.md', url: 'https://acme.example/docs/billing#refunds' },
  ]);
});

test('SSE: the done event carries the sources; HTML pages are sources too (title from <title>)', async () => {
  const { response } = await ask('When is the support desk open?', 'text/event-stream');
  const events = parseSse(await response.text());
  const done = events.find((e) => e.event === 'done')!.data as { sources: unknown[] };
  const text = events
    .filter((e) => e.event === 'delta')
    .map((e) => (e.data as { text: string }).text)
    .join('');
  expect(text).toContain('weekdays from 9:00 to 17:00');
  expect(text).not.toContain('alert');
  expect(done.sources).toEqual([
    {
      title: 'Support hours › Opening times',
      path: 'docs/team.html',
      url: 'https://acme.example/docs/team#opening-times',
    },
  ]);
});

test('a Q&A pair that covers the question wins over the documents, and cites nothing', async () => {
  const { response } = await ask('How do I reset my password?', 'application/json');
  expect(await response.json()).toMatchObject({ text: 'Use the Forgot password link.', sources: [] });
});

test('the transcript keeps the sources: a resumed session shows them in its history', async () => {
  const first = await ask('How do I uninstall Acme?', 'application/json');
  expect(first.response.status).toBe(200);
  const resumed = await startSession(
    target.apiUrl,
    DOCS_ORIGIN,
    target.outputs.widgets['docs-bot']!.publicKey,
    first.session.token,
  );
  const history = resumed.history as { role: string; text: string; sources?: unknown }[];
  expect(history.map((h) => h.role)).toEqual(['visitor', 'assistant']);
  expect(history[0]).not.toHaveProperty('sources');
  expect(history[1]!.sources).toEqual([
    {
      title: 'Installing Acme › Uninstall',
      path: 'docs/install.md',
      url: 'https://acme.example/docs/install#uninstall',
    },
  ]);
});

test('a widget whose artifact is missing answers 503 bot_not_ready and logs why', async () => {
  const folder = join(dir, '.perch', 'knowledge');
  const gone = target.widgets.find((w) => w.widgetId === 'unready')!.knowledge!.find((k) => k.base === 'gone')!;
  const file = readdirSync(folder).find((f) => f.startsWith(gone.digest))!;
  rmSync(join(folder, file));
  const errors = jest.spyOn(Logger.prototype, 'error');
  try {
    for (const accept of ['application/json', 'text/event-stream']) {
      const { response } = await ask('How do refunds work?', accept, undefined, 'unready');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { code: 'bot_not_ready', message: 'This bot is not ready for chat yet.' },
      });
    }
    expect(errors).toHaveBeenCalledWith(
      'bot not ready',
      expect.objectContaining({ widgetId: 'unready', reason: expect.stringContaining(`knowledge base gone`) }),
    );
  } finally {
    errors.mockRestore();
  }
});
