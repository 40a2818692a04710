import { join } from 'node:path';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { postToSession, startSession } from '../api/clocked-perch';

// What a new user's first question on http://localhost:3000 gets from the shipped config: an
// answer from this repository's README, with its section cited.
const DEMO = 'http://localhost:3000';
let target: LocalTarget;

beforeAll(async () => {
  target = await startLocalTarget({ configFile: join(__dirname, '../../widgets.config.ts'), port: 0, log: () => {} });
});
afterAll(() => target?.close());

test.each([
  ['How do I deploy to AWS?', 'Perch › Deploy to AWS'],
  ['How are knowledge bases split into passages?', 'Perch › Knowledge (answers from your documents)'],
])('%s is answered from the README, citing %s', async (question, section) => {
  const session = await startSession(target.apiUrl, DEMO, target.outputs.widgets['docs-bot']!.publicKey);
  const response = await postToSession(
    target.apiUrl,
    session.sessionId,
    'messages',
    { text: question },
    { origin: DEMO, token: session.token },
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { text: string; sources: { title: string; path: string }[] };
  expect(body.sources[0]!.path).toBe('README.md');
  expect(body.sources[0]!.title.startsWith(section)).toBe(true);
  expect(body.text.length).toBeGreaterThan(80);
});
