import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { writeConfigFile } from '../fixtures/config-file';

// The functions are built from explicit dependencies, not from process.env: two local targets,
// each with its own database, secret and widgets, answer side by side in one process.
const ORIGIN = 'http://localhost:3000';
let dir: string;
let targets: LocalTarget[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-two-targets-'));
  const start = (id: string, answer: string) => {
    const configFile = writeConfigFile(join(dir, `${id}.config.ts`), {
      models: { local: { provider: 'faq' } },
      widgets: {
        [id]: {
          name: id,
          model: 'local',
          allowedOrigins: [ORIGIN],
          faq: [{ question: 'How do I rotate the key?', answer }],
        },
      },
    });
    return startLocalTarget({ configFile, port: 0, log: () => undefined });
  };
  targets = [await start('first-bot', 'I am the first.'), await start('second-bot', 'I am the second.')];
});
afterAll(async () => {
  await Promise.all(targets.map((target) => target.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function ask(target: LocalTarget, widgetId: string) {
  const key = target.outputs.widgets[widgetId]!.publicKey;
  const headers = { 'Content-Type': 'application/json', Origin: ORIGIN };
  const started = await fetch(`${target.apiUrl}/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ key }),
  });
  const session = (await started.json()) as { sessionId: string; token: string };
  const answered = await fetch(`${target.apiUrl}/v1/sessions/${session.sessionId}/messages`, {
    method: 'POST',
    headers: { ...headers, Accept: 'application/json', Authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ text: 'How do I rotate the key?' }),
  });
  return { ...((await answered.json()) as { text: string }), session };
}

test('each of two targets in one process answers from its own widgets and database', async () => {
  const [first, second] = targets as [LocalTarget, LocalTarget];

  expect((await ask(first, 'first-bot')).text).toBe('I am the first.');
  expect((await ask(second, 'second-bot')).text).toBe('I am the second.');
  expect(first.databaseEndpoint).not.toBe(second.databaseEndpoint);
});

test("a target knows nothing of the other's widgets or sessions", async () => {
  const [first, second] = targets as [LocalTarget, LocalTarget];
  const { session } = await ask(first, 'first-bot');
  const secondKey = second.outputs.widgets['second-bot']!.publicKey;

  const foreignKey = await fetch(`${first.apiUrl}/v1/widgets/${secondKey}`, { headers: { Origin: ORIGIN } });
  const foreignSession = await fetch(`${second.apiUrl}/v1/sessions/${session.sessionId}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, Authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ text: 'How do I rotate the key?' }),
  });

  expect(foreignKey.status).toBe(404);
  expect(foreignSession.status).toBe(401); // signed with the other target's secret
});
