import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { PUBLIC_KEY_PATTERN } from '../../functions/keys/public-key';
import { listLoaderFiles } from '../../infra/aws/loader-hosting';
import { runPerchProgram } from '../../infra/aws/program';
import { bundleFunctions, MissingHandlerError } from '../../infra/build/bundle-functions';
import { writeConfigFile } from '../fixtures/config-file';
import { ALL_FUNCTIONS, fakeLoaderBuild, scratchDir, TEST_CONFIG } from './fixtures';
import { MockEngine } from './mock-engine';

let root: string;
beforeAll(() => {
  root = scratchDir('stack');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const writeConfig = (name: string, config: unknown) => writeConfigFile(join(root, name), config);

describe('the Pulumi program entry (infra/index.ts → runPerchProgram)', () => {
  test('deploys the config of the stack it runs on and prints every widget’s key and snippet', async () => {
    const configFile = writeConfig('good.config.ts', TEST_CONFIG);
    const deployment = await new MockEngine().run(
      () => runPerchProgram({ loaderDir: fakeLoaderBuild(root), functionsDir: join(root, 'functions') }),
      { stack: 'dev', config: { configFile } },
    );
    const { apiUrl, loaderUrl, widgets, restApiUrl } = deployment.outputs;
    expect(apiUrl).toMatch(/^https:\/\/[\w-]+\.cloudfront\.net$/);
    expect(loaderUrl).toBe(`${apiUrl}/v1/loader.js`);
    expect(restApiUrl).toMatch(/^https:\/\/[\w-]+\.execute-api\.eu-west-1\.amazonaws\.com\/live$/);
    // npm run usage -- --outputs reads these two.
    expect(deployment.outputs.tableName).toEqual(expect.any(String));
    expect(deployment.outputs.region).toBe('eu-west-1');
    expect(Object.keys(widgets).sort()).toEqual(Object.keys(TEST_CONFIG.widgets).sort());
    for (const widget of Object.values(widgets)) expect(widget.publicKey).toMatch(PUBLIC_KEY_PATTERN);
    expect(
      deployment
        .byType('aws:lambda/function:Function')
        .map((f) => f.name)
        .sort(),
    ).toEqual(ALL_FUNCTIONS.map((f) => f.name).sort());
    expect(JSON.parse(deployment.named('docs-bot-config').inputs.item).allowedOrigins).toEqual({
      L: [{ S: 'http://localhost:3000' }],
    });
  });

  test('a bad config fails the program, listing every problem by path', async () => {
    const configFile = writeConfig('bad.config.ts', {
      models: { local: { provider: 'faq' } },
      widgets: {
        'docs-bot': { name: 'Docs', model: 'missing', allowedOrigins: ['example.com'] },
        Bad_Id: { name: 'x', model: 'local' },
      },
    });
    const run = new MockEngine().run(() => runPerchProgram({ loaderDir: join(root, 'nowhere') }), {
      config: { configFile },
    });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    // RunError: Pulumi prints the message alone, without a stack trace.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      [
        `${configFile}: 3 problems`,
        '  ✗ widgets.docs-bot.allowedOrigins[0]: "example.com" needs a scheme, e.g. https://example.com',
        '  ✗ widgets.Bad_Id: widget id must be a lower-case slug (a-z, 0-9, -), e.g. docs-bot',
        '  ✗ widgets.docs-bot.model: unknown model "missing"; declared models: local',
      ].join('\n'),
    );
  });

  test('a missing loader build fails with the command that makes it', async () => {
    const configFile = writeConfig('ok.config.ts', TEST_CONFIG);
    const run = new MockEngine().run(() => runPerchProgram({ loaderDir: join(root, 'no-loader-build') }), {
      config: { configFile },
    });
    await expect(run).rejects.toThrow(/loader build output .*no-loader-build is missing: run `npm run build:loader`/);
    expect(() => listLoaderFiles(root)).toThrow(/holds no loader\.js/);
  });

  test('a stack setting outside what AWS accepts fails with the allowed values', async () => {
    const configFile = writeConfig('ok2.config.ts', TEST_CONFIG);
    const run = new MockEngine().run(() => runPerchProgram(), {
      config: { configFile, priceClass: 'PriceClass_Cheap' },
    });
    await expect(run).rejects.toThrow(
      'perch:priceClass must be one of PriceClass_100, PriceClass_200, PriceClass_All (got "PriceClass_Cheap")',
    );
  });

  test('a route whose handler file is missing fails bundling with the file it expected', async () => {
    const bundling = bundleFunctions({ names: ['widget-config', 'no-such-function'], outDir: join(root, 'missing') });
    await expect(bundling).rejects.toThrow(MissingHandlerError);
    await expect(bundling).rejects.toThrow('"no-such-function" (functions/handlers/no-such-function.ts)');
  });
});
