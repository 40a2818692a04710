import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { tableItemJson } from '../../infra/aws/widget-records';
import type { FunctionBundle } from '../../infra/build/bundle-functions';
import { validateConfig } from '../../infra/config/load';
import { resolveConfig } from '../../infra/config/resolve';
import { ensureTable, type LocalDatabase, localSdkEnvironment, startLocalDatabase } from '../../infra/local/database';
import { widgetRecords } from '../../infra/state/desired';
import { proxyEventFixture } from '../fixtures/proxy-event';
import { ALL_FUNCTIONS, bundleAll, scratchDir } from './fixtures';

const run = promisify(execFile);

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
  });
});
