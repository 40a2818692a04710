import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactName } from '../../functions/knowledge/artifact';
import { noArtifacts, readArtifactsFromFolder } from '../../functions/knowledge/artifact-readers';
import { type ArtifactReader, createKnowledgeLoader } from '../../functions/knowledge/knowledge-loader';
import { buildArtifact } from '../../infra/knowledge/build-artifact';
import { snapshotOf } from './knowledge-fixtures';
import { useTempFolders } from './temp-repository';

const [A, B] = ['a'.repeat(64), 'b'.repeat(64)];
const artifacts: Record<string, Buffer> = {
  [artifactName(A)]: buildArtifact(snapshotOf({ 'a.md': '# A\n\nalpha' }, { name: 'docs', digest: A })).bytes,
  [artifactName(B)]: buildArtifact(snapshotOf({ 'b.md': '# B\n\nbeta' }, { name: 'api', digest: B })).bytes,
};
const refs = [
  { base: 'docs', digest: A },
  { base: 'api', digest: B },
];

/** A reader over `artifacts` that counts its calls per name and can be made to fail. */
function countingReader() {
  const calls: string[] = [];
  let failures = 0;
  const read: ArtifactReader = async (name) => {
    calls.push(name);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (failures > 0) {
      failures -= 1;
      throw new Error('throttled');
    }
    const bytes = artifacts[name];
    if (!bytes) throw new Error(`no object ${name}`);
    return bytes;
  };
  return { read, calls, failNext: (n = 1) => (failures = n) };
}

describe('createKnowledgeLoader', () => {
  test("loads a widget's bases in its order", async () => {
    const load = createKnowledgeLoader(countingReader().read);

    const resolution = await load(refs);

    expect(resolution.ready && resolution.bases.map((b) => [b.base, b.digest, b.passages[0]!.text])).toEqual([
      ['docs', A, 'alpha'],
      ['api', B, 'beta'],
    ]);
  });

  test('reads each digest once, even for concurrent messages, and keeps it in memory', async () => {
    const reader = countingReader();
    const load = createKnowledgeLoader(reader.read);

    const all = await Promise.all([load(refs), load(refs), load([refs[0]!]), load(refs)]);
    await load(refs);

    expect(all.every((r) => r.ready)).toBe(true);
    expect(reader.calls.sort()).toEqual([artifactName(A), artifactName(B)]);
  });

  test('a widget without bases is ready with none, reading nothing', async () => {
    const reader = countingReader();
    const load = createKnowledgeLoader(reader.read);
    expect(await load(undefined)).toEqual({ ready: true, bases: [] });
    expect(await load([])).toEqual({ ready: true, bases: [] });
    expect(reader.calls).toEqual([]);
  });

  test('a failed read is not kept: the next message tries again', async () => {
    const reader = countingReader();
    const load = createKnowledgeLoader(reader.read);
    reader.failNext();

    const first = await load([refs[0]!]);
    const second = await load([refs[0]!]);

    expect(first).toEqual({ ready: false, reason: `knowledge base docs (${A}) unreadable: throttled` });
    expect(second.ready).toBe(true);
    expect(reader.calls).toEqual([artifactName(A), artifactName(A)]);
  });

  test('concurrent messages share one failed read, and the one after retries', async () => {
    const reader = countingReader();
    const load = createKnowledgeLoader(reader.read);
    reader.failNext();

    const [one, two] = await Promise.all([load([refs[0]!]), load([refs[0]!])]);

    expect([one.ready, two.ready]).toEqual([false, false]);
    expect((await load([refs[0]!])).ready).toBe(true);
    expect(reader.calls).toHaveLength(2);
  });

  test('one unreadable base makes the widget not ready, naming it', async () => {
    const load = createKnowledgeLoader(countingReader().read);
    const missing = 'c'.repeat(64);
    expect(await load([refs[0]!, { base: 'gone', digest: missing }])).toEqual({
      ready: false,
      reason: `knowledge base gone (${missing}) unreadable: no object ${artifactName(missing)}`,
    });
  });

  test('an artifact holding another digest is not ready', async () => {
    const load = createKnowledgeLoader(async () => artifacts[artifactName(A)]!);
    expect(await load([{ base: 'api', digest: B }])).toEqual({
      ready: false,
      reason: `knowledge base api (${B}) unreadable: artifact holds digest ${A}, not ${B}`,
    });
  });

  test('a reader that throws instead of rejecting is not ready, not a thrown error', async () => {
    const load = createKnowledgeLoader(() => {
      throw new Error('no credentials');
    });
    await expect(load([refs[0]!])).resolves.toEqual({
      ready: false,
      reason: `knowledge base docs (${A}) unreadable: no credentials`,
    });
  });

  test('a reason is given even when the reader rejects with something that is not an Error', async () => {
    const load = createKnowledgeLoader(() => Promise.reject('access denied'));
    expect(await load([refs[0]!])).toEqual({
      ready: false,
      reason: `knowledge base docs (${A}) unreadable: access denied`,
    });
  });
});

describe('artifact readers', () => {
  const temp = useTempFolders();

  test('the data folder reader reads <digest>.json.gz; a missing one is not ready', async () => {
    const folder = join(temp.folder(), 'knowledge');
    mkdirSync(folder);
    writeFileSync(join(folder, artifactName(A)), artifacts[artifactName(A)]!);
    const load = createKnowledgeLoader(readArtifactsFromFolder(folder));

    expect((await load([refs[0]!])).ready).toBe(true);
    const missing = await load([refs[1]!]);
    expect(missing.ready === false && missing.reason).toMatch(/^knowledge base api \(b{64}\) unreadable: ENOENT/);
  });

  test('with no store configured, a widget naming a base is not ready and says why', async () => {
    expect(await createKnowledgeLoader(noArtifacts)([refs[0]!])).toEqual({
      ready: false,
      reason: `knowledge base docs (${A}) unreadable: no knowledge store is configured to read ${artifactName(A)}`,
    });
  });
});
