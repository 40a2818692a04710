import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import {
  LOADER_HISTORY_OUTPUT,
  previousLoaderHistory,
  RETIRED_FILE_DAYS,
  retainedFiles,
  type ServedFile,
} from '../../infra/aws/loader-history';
import { listLoaderFiles } from '../../infra/aws/loader-hosting';
import { createPerch } from '../../infra/aws/perch';
import type { FunctionBundle } from '../../infra/build/bundle-functions';
import { DEV } from './deployed-program';
import { bundleAll, fakeLoaderBuild, resolvedTestConfig, scratchDir } from './fixtures';
import { type Deployment, MockEngine } from './mock-engine';

// A deploy must not break pages already open: browsers and CloudFront keep `loader.js` for up
// to 5 minutes, so the chat bundle it names stays served (and readable by CloudFront) for a
// week after a release replaced it, then the next deploy deletes it.
const DAY = 86_400_000;
const FIRST = new Date('2026-12-01T10:00:00Z');
let root: string;
let bundles: FunctionBundle[];
let firstBuild: string;
let secondBuild: string;

beforeAll(async () => {
  root = scratchDir('loader-history');
  bundles = await bundleAll(root);
  firstBuild = fakeLoaderBuild(root);
  secondBuild = join(root, 'loader-2');
  mkdirSync(secondBuild, { recursive: true });
  writeFileSync(join(secondBuild, 'loader.js'), '(()=>{window.Perch={v:2}})();\n');
  writeFileSync(join(secondBuild, 'chat.SECOND01.js'), 'export const chat=2;\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The program's loader part as `runPerchProgram` runs it: the history read back from the stack itself. */
const deploy = (engine: MockEngine, loaderDir: string, now: Date) =>
  engine.run(async () => {
    const previous = await previousLoaderHistory();
    const loaderHistory = { previous, now };
    const perch = createPerch({
      config: resolvedTestConfig(),
      bundles,
      loaderFiles: listLoaderFiles(loaderDir),
      settings: DEV,
      loaderHistory,
    });
    return { [LOADER_HISTORY_OUTPUT]: pulumi.secret(perch.hosting.history) };
  });

const objectsByKey = (deployment: Deployment<unknown>) =>
  Object.fromEntries(deployment.byType('aws:s3/bucketObjectv2:BucketObjectv2').map((o) => [o.inputs.key, o]));
const policyKeys = (deployment: Deployment<unknown>) => {
  const [policy] = deployment.byType('aws:s3/bucketPolicy:BucketPolicy');
  const bucketArn = deployment.byType('aws:s3/bucket:Bucket').find((b) => b.name === 'loader')!.outputs.arn;
  return JSON.parse(policy!.inputs.policy).Statement[0].Resource.map((arn: string) => arn.slice(bucketArn.length + 1));
};

test('across deploys: the previous chat bundle stays declared and readable for a week, then goes', async () => {
  const engine = new MockEngine();
  const first = await deploy(engine, firstBuild, FIRST);
  expect(Object.keys(objectsByKey(first)).sort()).toEqual(['v1/chat.Q2XJ7KDA.js', 'v1/loader.js']);

  const second = await deploy(engine, secondBuild, new Date(FIRST.getTime() + DAY));

  const objects = objectsByKey(second);
  expect(Object.keys(objects).sort()).toEqual(['v1/chat.Q2XJ7KDA.js', 'v1/chat.SECOND01.js', 'v1/loader.js']);
  expect(objects['v1/chat.Q2XJ7KDA.js']!.inputs).toMatchObject({
    content: 'export const chat=1;\n',
    cacheControl: 'public, max-age=31536000, immutable',
    contentType: 'text/javascript; charset=utf-8',
  });
  expect(second.deletes).toEqual([]);
  expect(policyKeys(second)).toEqual(['v1/chat.Q2XJ7KDA.js', 'v1/chat.SECOND01.js', 'v1/loader.js']);
  expect(second.outputs[LOADER_HISTORY_OUTPUT]).toEqual([
    expect.objectContaining({ key: 'v1/chat.SECOND01.js', content: 'export const chat=2;\n' }),
    expect.objectContaining({ key: 'v1/chat.Q2XJ7KDA.js', retiredAt: new Date(FIRST.getTime() + DAY).toISOString() }),
  ]);

  const weekLater = await deploy(engine, secondBuild, new Date(FIRST.getTime() + (RETIRED_FILE_DAYS + 2) * DAY));

  expect(Object.keys(objectsByKey(weekLater)).sort()).toEqual(['v1/chat.SECOND01.js', 'v1/loader.js']);
  expect(weekLater.deletes).toEqual(['aws:s3/bucketObjectv2:BucketObjectv2::loader-file-chat.Q2XJ7KDA.js']);
  expect(policyKeys(weekLater)).toEqual(['v1/chat.SECOND01.js', 'v1/loader.js']);
});

test('loader.js is written after the new chat bundle and the bucket policy that lets CloudFront read it', async () => {
  const deployment = await deploy(new MockEngine(), secondBuild, FIRST);
  const loader = objectsByKey(deployment)['v1/loader.js']!;
  expect(loader.dependsOn.some((urn: string) => urn.endsWith('::loader-file-chat.SECOND01.js'))).toBe(true);
  expect(loader.dependsOn.some((urn: string) => urn.endsWith('::loader-bucket-policy'))).toBe(true);
});

const served = (key: string, retiredAt?: string): ServedFile => ({
  key,
  content: 'x',
  contentType: 'text/javascript; charset=utf-8',
  cacheControl: 'public, max-age=31536000, immutable',
  ...(retiredAt ? { retiredAt } : {}),
});

test.each<[string, ServedFile[], string[]]>([
  ['a file still in the build is not a retained one', [served('v1/chat.NOW.js')], []],
  ['a file first missing now is retired now', [served('v1/chat.OLD.js')], ['v1/chat.OLD.js@2026-12-10T00:00:00.000Z']],
  [
    'retired 6 days ago: kept',
    [served('v1/chat.OLD.js', '2026-12-04T00:00:00.000Z')],
    ['v1/chat.OLD.js@2026-12-04T00:00:00.000Z'],
  ],
  ['retired 7 days ago: gone', [served('v1/chat.OLD.js', '2026-12-03T00:00:00.000Z')], []],
])('retainedFiles: %s', (_label, previous, expected) => {
  const build = [{ key: 'v1/chat.NOW.js', path: '', contentType: '', cacheControl: '' }];
  const kept = retainedFiles(previous, build, new Date('2026-12-10T00:00:00Z'));
  expect(kept.map((file) => `${file.key}@${file.retiredAt}`)).toEqual(expected);
});
