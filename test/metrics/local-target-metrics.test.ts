import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS_STACK_ENV } from '../../functions/metrics/metric-names';
import { type LocalTarget, startLocalTarget } from '../../infra/local/target';
import { postToSession, startSession } from '../api/clocked-perch';
import { writeConfigFile } from '../fixtures/config-file';
import { captureStdout } from './emf-capture';

// The local target builds the same functions without a metrics emitter: the handlers' metric
// calls reach nothing, so its terminal shows no EMF, even with the stack variable exported.
const DOCS = 'https://docs.example.com';
let dir: string;
let target: LocalTarget;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perch-local-metrics-'));
  const faq = [{ question: 'What is Perch?', answer: 'Chat widgets declared in Git.' }];
  writeConfigFile(join(dir, 'widgets.config.ts'), {
    models: { local: { provider: 'faq' } },
    widgets: { 'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [DOCS], faq } },
  });
  process.env[METRICS_STACK_ENV] = 'local';
  target = await startLocalTarget({ configFile: join(dir, 'widgets.config.ts'), port: 0, log: () => undefined });
});

afterAll(async () => {
  delete process.env[METRICS_STACK_ENV];
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a session start, an answered message and a refusal on the local target write no EMF to stdout', async () => {
  const stdout = captureStdout();
  try {
    const session = await startSession(target.apiUrl, DOCS, target.outputs.widgets['docs-bot']!.publicKey);
    const answered = await postToSession(
      target.apiUrl,
      session.sessionId,
      'messages',
      { text: 'What is Perch?' },
      {
        origin: DOCS,
        token: session.token,
        accept: 'text/event-stream',
      },
    );
    await answered.text();
    const refused = await postToSession(
      target.apiUrl,
      session.sessionId,
      'messages',
      { text: '' },
      {
        origin: DOCS,
        token: session.token,
        accept: 'application/json',
      },
    );

    expect([answered.status, refused.status]).toEqual([200, 400]);
    expect(stdout.written()).not.toContain('_aws');
  } finally {
    stdout.restore();
  }
});
