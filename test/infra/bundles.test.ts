import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { artifactName } from '../../functions/knowledge/artifact';
import { FUNCTION_ENV } from '../../functions/routes';
import { tableItemJson } from '../../infra/aws/widget-records';
import type { FunctionBundle } from '../../infra/build/bundle-functions';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { buildArtifact } from '../../infra/knowledge/build-artifact';
import type { KnowledgeSnapshot } from '../../infra/knowledge/snapshot';
import { ensureTable, type LocalDatabase, localSdkEnvironment, startLocalDatabase } from '../../infra/local/database';
import { widgetRecords } from '../../infra/state/desired';
import { parseSse } from '../api/clocked-perch';
import { proxyEventFixture } from '../fixtures/proxy-event';
import { ALL_FUNCTIONS, bundleAll, scratchDir } from './fixtures';

const run = promisify(execFile);

/** What a cold start loads and parses (bench/functions.bench.ts holds the same target). */
const SIZE_TARGET_BYTES = 600 * 1024;

// What Lambda's Node.js runtime provides before it loads a handler module.
const LAMBDA_GLOBALS = 'globalThis.awslambda={streamifyResponse:(h)=>h,HttpResponseStream:{from:(s)=>s}};';

let root: string;
let bundles: FunctionBundle[];
beforeAll(async () => {
  root = scratchDir('bundles');
  bundles = await bundleAll(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Loads a bundle in a fresh Node process, as a Lambda cold start would, and runs `script`. */
async function inFreshNode(bundle: FunctionBundle, script: string, env: Record<string, string> = {}) {
  const { stdout } = await run(
    process.execPath,
    [
      '--enable-source-maps',
      '-e',
      `${LAMBDA_GLOBALS}const {handler}=require(${JSON.stringify(bundle.file)});${script}`,
    ],
    { env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', ...env } },
  );
  return stdout.trim();
}

describe('function bundles', () => {
  test.each(ALL_FUNCTIONS.map((f) => [f.name] as const))(
    '%s loads standalone, alone, and exports its handler',
    async (name) => {
      const bundle = bundles.find((b) => b.name === name)!;
      const output = await inFreshNode(
        bundle,
        'console.log(JSON.stringify([typeof handler, Object.keys(require.cache)]))',
      );
      // The SDK, middy and zod are inside the bundle: no other file is loaded from disk.
      expect(JSON.parse(output)).toEqual(['function', [bundle.file]]);
    },
  );

  test.each(ALL_FUNCTIONS.map((f) => [f.name] as const))('%s is at most 600 KB minified', (name) => {
    expect(bundles.find((b) => b.name === name)!.bytes).toBeLessThanOrEqual(SIZE_TARGET_BYTES);
  });

  test('the S3 client is a file of its own beside the messages bundle, with its map, not inlined', () => {
    const messages = bundles.find((b) => b.name === 'messages')!;
    expect(messages.lazyFiles.map((f) => f.file)).toEqual([join(messages.dir, 'client-s3.js')]);
    expect(readFileSync(messages.file, 'utf8')).toContain('require("./client-s3.js")');
    expect(readFileSync(join(messages.dir, 'client-s3.js.map'), 'utf8')).toContain('"mappings"');
  });

  test('no other function carries the S3 client: only messages reads knowledge', () => {
    for (const bundle of bundles.filter((b) => b.name !== 'messages')) {
      expect(bundle.lazyFiles).toEqual([]);
      expect(readFileSync(bundle.file, 'utf8')).not.toContain('client-s3');
    }
  });

  test('each bundle carries a mappings-only source map', () => {
    for (const bundle of bundles) {
      const code = readFileSync(bundle.file, 'utf8');
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
      const map = JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8'));
      expect(map.mappings.length).toBeGreaterThan(0);
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  describe('against dynalite', () => {
    let database: LocalDatabase;
    beforeAll(async () => {
      database = await startLocalDatabase();
      await ensureTable(database.client, 'perch-bundles');
    });
    afterAll(() => database.close());

    test('the widget-config bundle serves a widget from the exact items the Pulumi program writes', async () => {
      // Arrange: the TableItem JSON of one widget, written as AWS would store it.
      const [widget] = resolveConfig(
        validateConfig({
          models: { local: { provider: 'faq' } },
          widgets: {
            'docs-bot': {
              name: 'Docs',
              model: 'local',
              greeting: 'Hello!',
              allowedOrigins: ['https://docs.example.com'],
            },
          },
        }),
        'dev',
      ).widgets;
      const publicKey = 'pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      for (const record of widgetRecords(widget!, {
        incarnation: 'i-1',
        current: { publicKey, version: 0 },
        retired: [],
      })) {
        await database.client.send(
          new PutItemCommand({ TableName: 'perch-bundles', Item: JSON.parse(tableItemJson(record)) }),
        );
      }
      const event = proxyEventFixture();
      Object.assign(event, {
        resource: '/v1/widgets/{key}',
        path: `/v1/widgets/${publicKey}`,
        httpMethod: 'GET',
        pathParameters: { key: publicKey },
        body: null,
      });
      event.headers = { ...event.headers, origin: 'https://docs.example.com' };
      // Act
      const output = await inFreshNode(
        bundles.find((b) => b.name === 'widget-config')!,
        `handler(${JSON.stringify(event)},{}).then((r)=>console.log(JSON.stringify(r)))`,
        localSdkEnvironment(database.endpoint, 'perch-bundles'),
      );
      // Assert
      const response = JSON.parse(output.split('\n').at(-1)!);
      expect(response.statusCode).toBe(200);
      expect(response.headers['Access-Control-Allow-Origin']).toBe('https://docs.example.com');
      expect(JSON.parse(response.body)).toMatchObject({ name: 'Docs', greeting: 'Hello!' });
    });

    test('the messages bundle answers from the artifact its lazy S3 client reads from the bucket', async () => {
      // Arrange: a widget naming a knowledge base, and a stand-in for S3 serving its artifact.
      const text = '# Keys\n\n## Rotate the key\n\nRaise keyRotation in widgets.config.ts and apply.\n';
      const digest = createHash('sha256').update(text).digest('hex');
      const docs: KnowledgeSnapshot = {
        name: 'docs',
        digest,
        files: [{ path: 'docs/keys.md', text, digest }],
        bytes: text.length,
      };
      const [widget] = resolveConfig(
        validateConfig({
          models: { local: { provider: 'faq' } },
          knowledge: { docs: { include: ['docs/*.md'] } },
          widgets: {
            'docs-bot': {
              name: 'Docs',
              model: 'local',
              allowedOrigins: ['https://docs.example.com'],
              knowledge: 'docs',
            },
          },
        }),
        'dev',
        [docs],
      ).widgets;
      const publicKey = 'pk_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
      for (const record of widgetRecords(widget!, {
        incarnation: 'i-2',
        current: { publicKey, version: 0 },
        retired: [],
      }))
        await database.client.send(
          new PutItemCommand({ TableName: 'perch-bundles', Item: JSON.parse(tableItemJson(record)) }),
        );
      const requested: string[] = [];
      const artifact = buildArtifact(docs).bytes;
      const s3: Server = createServer((request, response) => {
        requested.push(`${request.method} ${request.url?.split('?')[0]}`);
        response.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': artifact.length });
        response.end(artifact);
      });
      await new Promise<void>((listening) => s3.listen(0, '127.0.0.1', listening));
      const sessionEvent = proxyEventFixture();
      Object.assign(sessionEvent, { resource: '/v1/sessions', path: '/v1/sessions', pathParameters: null });
      Object.assign(sessionEvent, { body: JSON.stringify({ key: publicKey }) });
      delete sessionEvent.headers.authorization;
      const script = join(root, 'ask-messages.js');
      writeFileSync(
        script,
        `${LAMBDA_GLOBALS}
const { Writable } = require('node:stream');
const sessions = require(${JSON.stringify(bundles.find((b) => b.name === 'sessions')!.file)}).handler;
const messages = require(${JSON.stringify(bundles.find((b) => b.name === 'messages')!.file)}).handler;
(async () => {
  const session = JSON.parse((await sessions(${JSON.stringify(sessionEvent)}, {})).body);
  const event = ${JSON.stringify(proxyEventFixture())};
  event.path = '/v1/sessions/' + session.sessionId + '/messages';
  event.body = '{"text":"How do I rotate the key?"}';
  event.pathParameters = { sessionId: session.sessionId };
  event.headers.authorization = 'Bearer ' + session.token;
  let body = '';
  await messages(event, new Writable({ write(chunk, _encoding, done) { body += chunk; done(); } }), {});
  console.log(JSON.stringify(body));
})();
`,
      );
      try {
        // Act
        const { stdout } = await run(process.execPath, ['--enable-source-maps', script], {
          env: {
            PATH: process.env.PATH ?? '',
            ...localSdkEnvironment(database.endpoint, 'perch-bundles'),
            AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(s3.address() as AddressInfo).port}`,
            [FUNCTION_ENV.knowledgeBucket]: 'perch-knowledge-test',
            [FUNCTION_ENV.sessionSecret]: 'bundles-test-secret-0123456789abcdef',
          },
        });
        // Assert
        const done = parseSse(JSON.parse(stdout.trim().split('\n').at(-1)!)).at(-1)!;
        expect(done.event).toBe('done');
        expect(done.data).toMatchObject({
          sources: [{ title: expect.stringContaining('Rotate'), path: 'docs/keys.md' }],
        });
        expect(requested).toEqual([`GET /perch-knowledge-test/${artifactName(digest)}`]);
      } finally {
        s3.close();
      }
    });
  });
});
