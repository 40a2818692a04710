import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeConfigFile } from '../fixtures/config-file';

// `npm start` as a process: the banner, outputs.json, signals, restarts, and its one-line errors.
const ROOT = resolve(__dirname, '../..');
const ALLOWED = 'http://localhost:3000';

interface Perch {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perch-start-'));
  writeConfigFile(join(dir, 'widgets.config.ts'), {
    models: { local: { provider: 'faq' } },
    widgets: {
      'docs-bot': { name: 'Docs', model: 'local', allowedOrigins: [ALLOWED], faq: [{ question: 'q', answer: 'a' }] },
      playground: { name: 'Playground', model: 'local', allowedOrigins: [], faq: [{ question: 'q', answer: 'a' }] },
    },
  });
});

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts the local target like `npm start` (tsx infra/local/main.ts). With `direct`, node loads
 * tsx itself, so the pid is the server's own process (tsx's CLI runs the script in a child,
 * and a `kill -9` of the wrapper would leave that child running).
 */
function startPerch(env: Record<string, string>, { direct = false } = {}): Perch {
  const command = direct ? process.execPath : join(ROOT, 'node_modules/.bin/tsx');
  const args = direct ? ['--import', 'tsx', 'infra/local/main.ts'] : ['infra/local/main.ts'];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PERCH_PORT: '0', PERCH_CONFIG: join(dir, 'widgets.config.ts'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => out, stderr: () => err, exited };
}

async function waitForReady(perch: Perch, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!perch.output().includes('Press Ctrl+C to stop.')) {
    if (perch.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`npm start did not come up:\n${perch.output()}\n${perch.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return /API: (http:\/\/localhost:\d+)/.exec(perch.output())![1]!;
}

const readOutputs = (dataDir: string) =>
  JSON.parse(readFileSync(join(dataDir, 'outputs.json'), 'utf8')) as {
    apiUrl: string;
    widgets: Record<string, { publicKey: string; snippet: string }>;
  };

/** The lines our code wrote to stderr (Node's own deprecation warnings aside). */
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => /^error/.test(line));

test(
  'npm start applies, answers, refuses a second process on its data folder, ' +
    'survives kill -9, restarts with 0 changes and the same keys, and stops on SIGTERM',
  async () => {
    const dataDir = join(dir, 'data');
    const first = startPerch({ PERCH_DATA_DIR: dataDir }, { direct: true });
    const apiUrl = await waitForReady(first);

    const outputs = readOutputs(dataDir);
    expect(outputs.apiUrl).toBe(apiUrl);
    expect(first.output()).toContain('Plan: 2 to create, 0 to update, 0 to rotate, 0 to delete.');
    for (const [id, { publicKey, snippet }] of Object.entries(outputs.widgets)) {
      expect(first.output()).toContain(`  ${id}  ${publicKey}`);
      expect(first.output()).toContain(snippet);
    }
    const docsKey = outputs.widgets['docs-bot']!.publicKey;
    const allowed = await fetch(`${apiUrl}/v1/widgets/${docsKey}`, { headers: { Origin: ALLOWED } });
    expect([allowed.status, allowed.headers.get('access-control-allow-origin')]).toEqual([200, ALLOWED]);
    const foreign = await fetch(`${apiUrl}/v1/widgets/${docsKey}`, { headers: { Origin: 'https://evil.example.net' } });
    expect([foreign.status, foreign.headers.get('access-control-allow-origin')]).toEqual([403, null]);

    const rival = startPerch({ PERCH_DATA_DIR: dataDir });
    expect(await rival.exited).toBe(1);
    expect(errorLines(rival.stderr())).toEqual([
      `error: data folder ${dataDir} is in use by another Perch process; stop it or set PERCH_DATA_DIR`,
    ]);

    first.child.kill('SIGKILL');
    await first.exited;

    const second = startPerch({ PERCH_DATA_DIR: dataDir });
    await waitForReady(second);
    expect(second.output()).toContain('No changes. The table matches the config.');
    expect(second.output()).toContain('Plan: 0 to create, 0 to update, 0 to rotate, 0 to delete.');
    expect(second.output()).not.toContain('Created table');
    const restarted = readOutputs(dataDir);
    expect(Object.fromEntries(Object.entries(restarted.widgets).map(([id, w]) => [id, w.publicKey]))).toEqual(
      Object.fromEntries(Object.entries(outputs.widgets).map(([id, w]) => [id, w.publicKey])),
    );

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('SIGTERM received, stopping');
  },
);

test('a taken port is a one-line error and a non-zero exit', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', () => done()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const perch = startPerch({ PERCH_PORT: String(port), PERCH_DATA_DIR: join(dir, 'port-data') });

    expect(await perch.exited).toBe(1);
    expect(errorLines(perch.stderr())).toEqual([
      `error: port ${port} is already in use; stop what uses it or set PERCH_PORT`,
    ]);
    expect(perch.stderr()).not.toMatch(/^\s+at /m);
  } finally {
    await new Promise((done) => blocker.close(done));
  }
});

test('an invalid config lists its problems and exits non-zero before touching the data folder', async () => {
  const configFile = join(dir, 'bad.config.ts');
  writeConfigFile(configFile, {
    models: {},
    widgets: { 'docs-bot': { name: 'Docs', model: 'gpt', allowedOrigins: ['example.com'] } },
  });

  const perch = startPerch({ PERCH_CONFIG: configFile, PERCH_DATA_DIR: join(dir, 'bad-data') });

  expect(await perch.exited).toBe(1);
  expect(perch.stderr()).toContain('error: invalid config:');
  expect(perch.stderr()).toContain(
    '  - widgets.docs-bot.allowedOrigins[0]: "example.com" needs a scheme, e.g. https://example.com',
  );
  expect(perch.stderr()).toContain('  - widgets.docs-bot.model: unknown model "gpt"; declared models: none');
  expect(perch.output()).not.toContain('Plan:');
  expect(existsSync(join(dir, 'bad-data'))).toBe(false);
});

test('a data folder that cannot be created is a one-line error and a non-zero exit', async () => {
  const file = join(dir, 'a-regular-file');
  writeFileSync(file, 'not a folder');
  const dataDir = join(file, 'data');

  const perch = startPerch({ PERCH_DATA_DIR: dataDir });

  expect(await perch.exited).toBe(1);
  const lines = errorLines(perch.stderr());
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(
      `^error: data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not readable and writable: ENOTDIR`,
    ),
  );
});
