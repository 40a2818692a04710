import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as pulumi from '@pulumi/pulumi';
import { artifactName } from '../../functions/knowledge/artifact';
import { FUNCTION_ENV } from '../../functions/routes';
import { runPerchProgram } from '../../infra/aws/program';
import { loadResolvedConfig } from '../../infra/config/load';
import { buildArtifact } from '../../infra/knowledge/build-artifact';
import type { KnowledgeSnapshot } from '../../infra/knowledge/snapshot';
import { writeConfigFile } from '../fixtures/config-file';
import { ALL_FUNCTIONS, fakeLoaderBuild, scratchDir, TEST_CONFIG } from './fixtures';
import { wildcardGrants } from './iam';
import { type Deployment, MockEngine, type MockResource } from './mock-engine';

// The Pulumi program (runPerchProgram) under the mock engine with a config that declares two
// knowledge bases, read from a scratch folder: the knowledge bucket, its objects, who may read them.
const BUCKET = 'aws:s3/bucket:Bucket';
const OBJECT = 'aws:s3/bucketObjectv2:BucketObjectv2';
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy';

const KNOWLEDGE_CONFIG = {
  ...TEST_CONFIG,
  knowledge: {
    docs: { include: ['docs/**/*.md'], url: 'https://docs.example.com/{slug}' },
    guide: { include: ['README.md'] },
  },
  widgets: {
    ...TEST_CONFIG.widgets,
    'docs-bot': { ...TEST_CONFIG.widgets['docs-bot'], knowledge: 'docs' },
    support: { ...TEST_CONFIG.widgets.support, knowledge: ['docs', 'guide'] },
  },
};
const INSTALL = '# Install\n\nRun `npm install perch`.\n\n## Rotate the key\n\nRaise keyRotation and apply.\n';

let root: string;
let configFile: string;
let engine: MockEngine;
let deployment: Deployment<Awaited<ReturnType<typeof runPerchProgram>>>;
let snapshots: KnowledgeSnapshot[];
const logged: string[] = [];

const deploy = (on: MockEngine, file: string) =>
  on.run(
    () =>
      runPerchProgram({
        loaderDir: join(root, 'loader'),
        functionsDir: join(root, 'functions'),
        knowledgeDir: join(root, 'dist-knowledge'),
      }),
    { stack: 'dev', config: { configFile: file } },
  );

beforeAll(async () => {
  root = scratchDir('program-knowledge');
  fakeLoaderBuild(root);
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'install.md'), INSTALL);
  writeFileSync(join(root, 'README.md'), '# Perch\n\nEmbeddable chat widgets.\n\n## Deploy\n\nRun pulumi up.\n');
  configFile = writeConfigFile(join(root, 'widgets.config.ts'), KNOWLEDGE_CONFIG);
  snapshots = (await loadResolvedConfig(configFile, 'dev')).knowledge;
  jest.spyOn(pulumi.log, 'info').mockImplementation(async (message: string) => void logged.push(message));
  engine = new MockEngine();
  deployment = await deploy(engine, configFile);
});
afterAll(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const knowledgeBucket = () => deployment.named('knowledge');
const onKnowledgeBucket = (type: string) =>
  deployment.byType(type).filter((r) => r.inputs.bucket === knowledgeBucket().id);
const lambda = (d: Deployment<unknown>, name: string) =>
  d.byType('aws:lambda/function:Function').find((f) => f.name === name)!;
const policyOf = (d: Deployment<unknown>, name: string) => {
  const role = d.named(`${name}-role`);
  return JSON.parse(d.byType(ROLE_POLICY).find((p) => p.inputs.role === role.id)!.inputs.policy);
};
const s3Statements = (d: Deployment<unknown>, name: string) =>
  policyOf(d, name).Statement.filter((s: any) => s.Action.some((a: string) => a.startsWith('s3:')));
const configItem = (d: Deployment<unknown>, widget: string) =>
  unmarshall(JSON.parse(d.named(`${widget}-config`).inputs.item));
const snapshot = (name: string) => snapshots.find((s) => s.name === name)!;
const objectOf = (d: Deployment<unknown>, base: string): MockResource => d.named(`knowledge-artifact-${base}`);

describe('the knowledge bucket', () => {
  test('is a private bucket of its own: every public access block on, owner-enforced, encrypted', () => {
    const bucket = knowledgeBucket();
    expect(bucket.type).toBe(BUCKET);
    expect(deployment.byType(BUCKET)).toHaveLength(2); // the loader's and this one
    expect(bucket.inputs.forceDestroy).toBe(true); // not a production stack
    expect(onKnowledgeBucket('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').map((r) => r.inputs)).toEqual([
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    ]);
    expect(
      onKnowledgeBucket('aws:s3/bucketOwnershipControls:BucketOwnershipControls').map((r) => r.inputs.rule),
    ).toEqual([{ objectOwnership: 'BucketOwnerEnforced' }]);
    expect(
      onKnowledgeBucket('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').map(
        (r) => r.inputs.rules,
      ),
    ).toEqual([[{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]]);
    // No bucket policy: only the roles granted s3:GetObject on its objects read it.
    expect(onKnowledgeBucket('aws:s3/bucketPolicy:BucketPolicy')).toEqual([]);
  });

  test('is no CloudFront origin: the distribution names nothing of it', () => {
    const distribution = JSON.stringify(deployment.byType('aws:cloudfront/distribution:Distribution')[0]!.inputs);
    const { bucket, bucketRegionalDomainName } = knowledgeBucket().outputs;
    expect(distribution).not.toContain(bucket);
    expect(distribution).not.toContain(bucketRegionalDomainName);
    expect(JSON.stringify(deployment.byType('aws:s3/bucketPolicy:BucketPolicy'))).not.toContain(bucket);
  });

  test("holds one object per base, at its digest's artifact name, with the bytes buildArtifact makes", () => {
    const objects = onKnowledgeBucket(OBJECT);
    expect(objects.map((o) => o.name).sort()).toEqual(['knowledge-artifact-docs', 'knowledge-artifact-guide']);
    for (const base of ['docs', 'guide']) {
      const object = objectOf(deployment, base);
      expect(object.inputs).toMatchObject({
        key: artifactName(snapshot(base).digest),
        contentType: 'application/gzip',
      });
      expect(readFileSync(object.inputs.source.path)).toEqual(buildArtifact(snapshot(base)).bytes);
      expect(object.inputs.source.path).toBe(join(root, 'dist-knowledge', artifactName(snapshot(base).digest)));
    }
  });

  test('the program logs one line per base: files, passages and the short digest', () => {
    expect(logged).toEqual([
      expect.stringMatching(
        new RegExp(`^knowledge docs: 1 file, 2 passages, ${snapshot('docs').digest.slice(0, 12)} `),
      ),
      expect.stringMatching(
        new RegExp(`^knowledge guide: 1 file, 2 passages, ${snapshot('guide').digest.slice(0, 12)} `),
      ),
    ]);
  });
});

describe('who reads the knowledge', () => {
  test('the messages function is told the bucket and may s3:GetObject exactly the deployed artifacts', () => {
    const { bucket, arn } = knowledgeBucket().outputs;
    expect(arn).toBe(`arn:aws:s3:::${bucket}`);
    expect(lambda(deployment, 'messages').inputs.environment.variables[FUNCTION_ENV.knowledgeBucket]).toBe(bucket);
    expect(s3Statements(deployment, 'messages')).toEqual([
      {
        Sid: 'KnowledgeArtifacts',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['docs', 'guide']
          .map((base) => `arn:aws:s3:::${bucket}/${artifactName(snapshot(base).digest)}`)
          .sort(),
      },
    ]);
  });

  test.each(ALL_FUNCTIONS.filter((f) => f.name !== 'messages').map((f) => [f.name] as const))(
    '%s is not told the bucket and has no S3 grant',
    (name) => {
      expect(lambda(deployment, name).inputs.environment.variables).not.toHaveProperty(FUNCTION_ENV.knowledgeBucket);
      expect(s3Statements(deployment, name)).toEqual([]);
    },
  );

  test('no IAM statement of the stack grants a wildcard', () => {
    const documents = deployment.byType(ROLE_POLICY).map((r) => r.inputs.policy);
    expect(documents.flatMap((d) => wildcardGrants(d))).toEqual([]);
  });

  test("a widget's config item names its digests and is written only after their objects", () => {
    const urn = (base: string) => expect.stringMatching(new RegExp(`::${OBJECT}::knowledge-artifact-${base}$`));
    expect(configItem(deployment, 'docs-bot').knowledge).toEqual([{ base: 'docs', digest: snapshot('docs').digest }]);
    expect(deployment.named('docs-bot-config').dependsOn).toEqual(expect.arrayContaining([urn('docs')]));
    expect(deployment.named('docs-bot-config').dependsOn).not.toEqual(expect.arrayContaining([urn('guide')]));
    expect(deployment.named('support-config').dependsOn).toEqual(expect.arrayContaining([urn('docs'), urn('guide')]));
    expect(configItem(deployment, 'faq')).not.toHaveProperty('knowledge');
  });
});

describe('the next pulumi up', () => {
  test('with unchanged files changes nothing', async () => {
    const again = await deploy(engine, configFile);
    expect(Object.entries(again.changes()).filter(([, operation]) => operation !== 'same')).toEqual([]);
  });

  test("after a file changes: a new digest, so a new object key and the widget item's new digest", async () => {
    const before = snapshot('docs').digest;
    writeFileSync(join(root, 'docs', 'install.md'), `${INSTALL}\n## Uninstall\n\nRun \`npm remove perch\`.\n`);
    const docs = (await loadResolvedConfig(configFile, 'dev')).knowledge.find((s) => s.name === 'docs')!;
    const after = docs.digest;
    expect(after).not.toBe(before);

    const changed = await deploy(engine, configFile);

    expect(objectOf(changed, 'docs').inputs.key).toBe(artifactName(after));
    expect(readFileSync(objectOf(changed, 'docs').inputs.source.path)).toEqual(buildArtifact(docs).bytes);
    expect(configItem(changed, 'docs-bot').knowledge).toEqual([{ base: 'docs', digest: after }]);
    expect(s3Statements(changed, 'messages')[0].Resource).toContain(
      `arn:aws:s3:::${knowledgeBucket().outputs.bucket}/${artifactName(after)}`,
    );
    expect(s3Statements(changed, 'messages')[0].Resource).not.toContain(
      `arn:aws:s3:::${knowledgeBucket().outputs.bucket}/${artifactName(before)}`,
    );
    expect(objectOf(changed, 'guide').operation).toBe('same');
  });
});

describe('a config without knowledge', () => {
  test('has no knowledge bucket, no PERCH_KNOWLEDGE_BUCKET and no S3 grant', async () => {
    const plain = await deploy(new MockEngine(), writeConfigFile(join(root, 'plain.config.ts'), TEST_CONFIG));
    expect(plain.byType(BUCKET).map((b) => b.name)).toEqual(['loader']);
    expect(plain.byType(OBJECT).filter((o) => o.name.startsWith('knowledge'))).toEqual([]);
    for (const fn of ALL_FUNCTIONS) {
      expect(lambda(plain, fn.name).inputs.environment.variables).not.toHaveProperty(FUNCTION_ENV.knowledgeBucket);
      expect(s3Statements(plain, fn.name)).toEqual([]);
    }
  });
});
