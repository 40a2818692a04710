import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKnowledgeArtifacts } from '../../infra/build/knowledge-artifacts';
import { buildArtifact } from '../../infra/knowledge/build-artifact';
import type { KnowledgeSnapshot } from '../../infra/knowledge/snapshot';
import { scratchDir } from './fixtures';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const README = '# Perch\n\nEmbeddable chat widgets.\n\n## Deploy\n\nRun `pulumi up`.\n';
const snapshotOf = (name: string, text: string): KnowledgeSnapshot => ({
  name,
  digest: sha256(`${name}:${text}`),
  files: [{ path: 'README.md', text, digest: sha256(text) }],
  bytes: Buffer.byteLength(text),
});

let root: string;
beforeEach(() => {
  root = scratchDir('knowledge-artifacts');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test("each base's artifact is written as <digest>.json.gz with buildArtifact's bytes and summarised", () => {
  const docs = snapshotOf('docs', README);

  const [artifact] = writeKnowledgeArtifacts({ snapshots: [docs], outDir: join(root, 'knowledge') });

  expect(artifact).toMatchObject({
    base: 'docs',
    digest: docs.digest,
    key: `${docs.digest}.json.gz`,
    path: join(root, 'knowledge', `${docs.digest}.json.gz`),
    files: 1,
    passages: 2,
    warnings: [],
  });
  expect(readFileSync(artifact!.path)).toEqual(buildArtifact(docs).bytes);
  expect(artifact!.bytes).toBe(buildArtifact(docs).bytes.length);
  expect(artifact!.summary).toMatch(new RegExp(`^knowledge docs: 1 file, 2 passages, ${docs.digest.slice(0, 12)} \\(`));
});

test('an artifact already there is left alone: an unchanged base writes nothing', () => {
  const options = { snapshots: [snapshotOf('docs', README)], outDir: join(root, 'knowledge') };
  const [first] = writeKnowledgeArtifacts(options);
  const before = statSync(first!.path);

  const [second] = writeKnowledgeArtifacts(options);

  const after = statSync(second!.path);
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
});

test('a damaged artifact under the digest is written again whole', () => {
  const options = { snapshots: [snapshotOf('docs', README)], outDir: join(root, 'knowledge') };
  const [first] = writeKnowledgeArtifacts(options);
  writeFileSync(first!.path, readFileSync(first!.path).subarray(0, 10));

  writeKnowledgeArtifacts(options);

  expect(readFileSync(first!.path)).toEqual(buildArtifact(options.snapshots[0]!).bytes);
});

test('no base, no folder', () => {
  expect(writeKnowledgeArtifacts({ snapshots: [], outDir: join(root, 'knowledge') })).toEqual([]);
  expect(() => statSync(join(root, 'knowledge'))).toThrow();
});
