import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runConversationsCli } from '../../infra/conversations/cli';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { postToSession, type StartedSession, startSession } from '../api/clocked-perch';
import { DOCS_ORIGIN, knowledgeConfigDir } from './knowledge-perch';

// `npm run conversations` against the local target's data folder, while `npm start` runs and
// after it stopped: the listing, one conversation with its sources, JSONL, erasure, bad input.
let dir: string;
let dataDir: string;
let configFile: string;
let target: LocalTarget | undefined;
let refund: StartedSession;
let hostile: StartedSession;

const open = { allowedOrigins: [DOCS_ORIGIN], limits: { perMinute: 1000, perDay: 10_000 }, feedback: true };

const startTarget = async () => startLocalTarget({ configFile, port: 0, dataDir, log: () => undefined });

beforeAll(async () => {
  const config = knowledgeConfigDir({ 'docs-bot': { name: 'Docs', model: 'local', knowledge: 'docs', ...open } });
  ({ dir, configFile } = config);
  dataDir = join(dir, '.perch');
  target = await startTarget();
  const key = target.outputs.widgets['docs-bot']!.publicKey;
  const ask = async (session: StartedSession, text: string) => {
    const response = await postToSession(
      target!.apiUrl,
      session.sessionId,
      'messages',
      { text },
      {
        origin: DOCS_ORIGIN,
        token: session.token,
      },
    );
    return ((await response.json()) as { messageId: string }).messageId;
  };
  refund = await startSession(target.apiUrl, DOCS_ORIGIN, key);
  const answer = await ask(refund, 'How long do I have to ask for a refund?');
  await postToSession(
    target.apiUrl,
    refund.sessionId,
    'feedback',
    { messageId: answer, rating: 'down' },
    {
      origin: DOCS_ORIGIN,
      token: refund.token,
    },
  );
  hostile = await startSession(target.apiUrl, DOCS_ORIGIN, key);
  await ask(hostile, 'Hi \u001b[2J\u001b]0;pwned\u0007 <script>alert(1)</script>\nsecond line');
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function conversations(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runConversationsCli(args, {
    env: { PERCH_DATA_DIR: dataDir, PERCH_CONFIG: configFile },
    stdout: { write: (s: string) => (stdout += s) !== undefined },
    stderr: { write: (s: string) => (stderr += s) !== undefined },
  });
  return { code, stdout, stderr };
}

test('the listing: per widget its retention, per day a row per conversation', async () => {
  const { code, stdout } = await conversations([]);
  expect(code).toBe(0);
  expect(stdout).toContain('(npm start running');
  expect(stdout).toMatch(/docs-bot — Docs: kept 30 days after the last turn \(oldest kept day \d{4}-\d\d-\d\d\)/);
  const row = stdout.split('\n').find((line) => line.includes(refund.sessionId))!;
  expect(
    row
      .trim()
      .split(/\s{2,}/)
      .slice(1),
  ).toEqual([
    refund.sessionId,
    '2',
    expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/),
    '0',
    '1',
    '—',
    'How long do I have to ask for a refund?',
  ]);
  expect(stdout).toContain('2 conversations in 1 widget.');
});

test('visitor text reaches the terminal without its control characters (no escape sequences)', async () => {
  for (const args of [[], ['--session', hostile.sessionId]]) {
    const { stdout } = await conversations(args);
    expect(stdout).toContain(hostile.sessionId);
    // Only newlines may remain of the control characters.
    expect([...stdout].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'))).toEqual([]);
  }
});

test('--rating and --search narrow the listing', async () => {
  expect((await conversations(['--rating', 'down'])).stdout).toContain('1 conversation in 1 widget.');
  const searched = await conversations(['--search', 'SCRIPT']);
  expect(searched.stdout).toContain(hostile.sessionId);
  expect(searched.stdout).not.toContain(refund.sessionId);
  expect(searched.stdout).toContain('Only conversations containing "SCRIPT".');
});

test('--session prints the conversation turn by turn with its rating and numbered sources', async () => {
  const { code, stdout } = await conversations(['--session', refund.sessionId]);
  expect(code).toBe(0);
  expect(stdout).toContain(`Conversation ${refund.sessionId} — widget docs-bot, ${DOCS_ORIGIN}, anonymous visitor`);
  expect(stdout).toMatch(/\] visitor\n {2}How long do I have to ask for a refund\?/);
  expect(stdout).toMatch(/\] assistant {2}\(rated down\)\n {2}.*14 days/);
  expect(stdout).toMatch(
    /Sources:\n {4}1\. Billing › Refunds \(docs\/billing\.md, https:\/\/acme\.example\/docs\/billing#refunds\)/,
  );
});

test('--jsonl exports one JSON object per conversation, with sources; the count goes to stderr', async () => {
  const { code, stdout, stderr } = await conversations(['--jsonl']);
  expect(code).toBe(0);
  const lines = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(lines.map((c) => c.sessionId).sort()).toEqual([refund.sessionId, hostile.sessionId].sort());
  const answer = lines.find((c) => c.sessionId === refund.sessionId).turns[1];
  expect(answer).toMatchObject({ role: 'assistant', rating: 'down' });
  expect(answer.sources[0]).toEqual({
    title: 'Billing › Refunds',
    path: 'docs/billing.md',
    url: 'https://acme.example/docs/billing#refunds',
  });
  expect(stderr).toContain('exported 2 conversations');
  // JSON keeps the visitor's text exactly; only the terminal views replace control characters.
  expect(lines.find((c) => c.sessionId === hostile.sessionId).turns[0].text).toContain('\u001b]0;pwned');
});

test('--erase prints what it deleted, then nothing on a second run; --session no longer finds it', async () => {
  const first = await conversations(['--erase', hostile.sessionId]);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(`Erased 1 conversation (2 turns) for session ${hostile.sessionId}; deleted 1 item:`);
  expect(first.stdout).toContain(`SESSION#${hostile.sessionId} / SESSION  conversation`);
  expect(first.stdout).toContain('Usage counters are kept');
  const second = await conversations(['--erase', hostile.sessionId]);
  expect(second.stdout).toContain(`Nothing to erase for session ${hostile.sessionId}`);
  const shown = await conversations(['--session', hostile.sessionId]);
  expect(shown.code).toBe(1);
  expect(shown.stderr).toContain(`no conversation ${hostile.sessionId}`);
});

test('with npm start stopped it opens the data folder itself, and erases there too', async () => {
  await target!.close();
  target = undefined;
  const listed = await conversations(['--widget', 'docs-bot']);
  expect(listed.stdout).toContain('(npm start not running)');
  expect(listed.stdout).toContain(refund.sessionId);
  expect((await conversations(['--erase-identity', 'nobody'])).stdout).toContain('Nothing to erase for sub "nobody"');
  target = await startTarget();
});

describe('bad command lines are refused with exit code 2 and say what is wrong', () => {
  test.each([
    [['--days', '0'], '--days must be a whole number from 1 to 3650'],
    [['--rating', 'meh'], '--rating must be down or up'],
    [['--search', '  '], '--search needs some text'],
    [['--session', '../x'], '--session takes a session id'],
    [['--erase', 'a', '--session', 'b'], 'use one of --session, --erase, not several'],
    [['--erase', 'a', '--rating', 'up'], '--rating filters the listing; it does not apply to --erase'],
    [['--erase', 'a', '--jsonl'], '--jsonl exports conversations; it does not apply to --erase'],
    [['--session', 'a', '--widget', 'docs-bot'], '--widget filters the listing'],
    [['--erase-identity', 'x'.repeat(257)], '--erase-identity takes the visitor'],
    [['--table', 'perch', '--outputs', 'o.json'], 'use either --table or --outputs, not both'],
    [['--colour'], "Unknown option '--colour'"],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await conversations(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('npm run conversations -- --help');
  });
});
