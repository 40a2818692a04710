import { symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { snapshotKnowledge } from '../../infra/knowledge/snapshot';
import { useTempFolders, writeFiles } from './temp-repository';

const temp = useTempFolders();
const docs = (include: string[], more: { exclude?: string[]; url?: string } = {}) => ({ docs: { include, ...more } });

describe('snapshotKnowledge', () => {
  test('reads matching files in path order, relative to the config folder, with their digests', async () => {
    const root = temp.repository({ 'b.md': '# B', 'a/z.mdx': 'Z', 'a/y.txt': 'Y', 'c.html': '<p>C</p>' });

    const { snapshots, problems, warnings } = await snapshotKnowledge(docs(['**/*']), root);

    expect([problems, warnings]).toEqual([[], []]);
    expect(snapshots[0]!.files.map((f) => f.path)).toEqual(['a/y.txt', 'a/z.mdx', 'b.md', 'c.html']);
    expect(snapshots[0]!.files[0]!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshots[0]!.bytes).toBe(3 + 1 + 1 + 8);
  });

  test('warns about, and skips, files of other types and files that are not UTF-8', async () => {
    const root = temp.repository({
      'docs/a.md': '# A',
      'docs/logo.png': Buffer.from([0x89, 0x50]),
      'docs/latin1.md': Buffer.from('caf\xe9', 'latin1'),
    });

    const { snapshots, warnings } = await snapshotKnowledge(docs(['docs/*']), root);

    expect(snapshots[0]!.files.map((f) => f.path)).toEqual(['docs/a.md']);
    expect(warnings).toEqual([
      'knowledge.docs: docs/latin1.md skipped: not UTF-8 text',
      'knowledge.docs: docs/logo.png skipped: not a .md, .markdown, .mdx, .txt, .text, .html, .htm file',
    ]);
  });

  test('never reads node_modules, .git or .perch, whatever the glob says', async () => {
    const root = temp.repository({
      'a.md': 'A',
      'node_modules/pkg/README.md': 'dependency',
      'docs/node_modules/x.md': 'nested dependency',
      '.git/notes.md': 'git',
      '.perch/knowledge/x.md': 'data',
    });

    const { snapshots } = await snapshotKnowledge(docs(['**/*.md', '.git/*.md', '.perch/**/*.md']), root);

    expect(snapshots[0]!.files.map((f) => f.path)).toEqual(['a.md']);
  });

  test('exclude removes files; a byte-order mark is not text', async () => {
    const root = temp.repository({ 'docs/a.md': '\uFEFF# A', 'docs/drafts/b.md': '# B' });

    const { snapshots } = await snapshotKnowledge(docs(['docs/**/*.md'], { exclude: ['docs/drafts/**'] }), root);

    expect(snapshots[0]!.files.map((f) => [f.path, f.text])).toEqual([['docs/a.md', '# A']]);
  });

  test('bases are read in name order, each on its own', async () => {
    const root = temp.repository({ 'a.md': 'A', 'b.md': 'B' });

    const { snapshots } = await snapshotKnowledge({ zed: { include: ['b.md'] }, abc: { include: ['a.md'] } }, root);

    expect(snapshots.map((s) => [s.name, s.files.map((f) => f.path)])).toEqual([
      ['abc', ['a.md']],
      ['zed', ['b.md']],
    ]);
  });
});

describe('the digest of a base', () => {
  const digestOf = async (root: string, bases: Parameters<typeof snapshotKnowledge>[0]) =>
    (await snapshotKnowledge(bases, root)).snapshots[0]!.digest;

  test('is the same for the same files, wherever the repository is', async () => {
    const files = { 'docs/a.md': '# A', 'docs/b.md': '# B' };
    const [one, two] = [temp.repository(files), temp.repository(files)];
    expect(await digestOf(one, docs(['docs/*.md']))).toBe(await digestOf(two, docs(['docs/*.md'])));
  });

  test.each([
    ['a file changes', (root: string) => writeFileSync(join(root, 'docs/a.md'), '# A!'), docs(['docs/*.md'])],
    ['a file is added', (root: string) => writeFiles(root, { 'docs/c.md': 'C' }), docs(['docs/*.md'])],
    ['the url template changes', () => undefined, docs(['docs/*.md'], { url: 'https://x.example.com/{path}' })],
    ['the base is renamed', () => undefined, { guides: { include: ['docs/*.md'] } }],
  ])('changes when %s', async (_name, change, bases) => {
    const root = temp.repository({ 'docs/a.md': '# A', 'docs/b.md': '# B' });
    const before = await digestOf(root, docs(['docs/*.md']));

    change(root);

    expect(await digestOf(root, bases)).not.toBe(before);
  });

  test('does not change when only the glob that finds the same files changes', async () => {
    const root = temp.repository({ 'docs/a.md': '# A' });
    expect(await digestOf(root, docs(['docs/**/*.md']))).toBe(await digestOf(root, docs(['docs/a.md'])));
  });
});

describe('hostile globs', () => {
  // A repository inside a folder that also holds a secret: no glob may read it.
  const setup = () => {
    const outer = temp.folder();
    writeFiles(outer, { 'secret.md': 'SECRET', 'outside/deep/secret.txt': 'SECRET' });
    const root = join(outer, 'repo');
    writeFiles(root, { '.git/HEAD': 'ref', 'site/docs/a.md': '# A', 'site/docs/sub/b.md': '# B', 'top.md': 'T' });
    symlinkSync(join(outer, 'outside'), join(root, 'site/docs/linked'));
    return { root, dir: join(root, 'site') };
  };
  const segment = fc.constantFrom('..', '**', '*', 'docs', 'sub', '.', '{..,docs}', '[.][.]', 'linked', '?*', '');
  const pattern = fc
    .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 6 }), fc.constantFrom('', '*.md', '*', '**'))
    .map(([absolute, parts, tail]) => `${absolute ? '/' : ''}${[...parts, tail].filter(Boolean).join('/')}`);

  test('never return a file outside the repository, and never throw', async () => {
    const { root, dir } = setup();
    await fc.assert(
      fc.asyncProperty(fc.array(pattern, { minLength: 1, maxLength: 3 }), async (include) => {
        const { snapshots, problems } = await snapshotKnowledge({ docs: { include } }, dir);
        for (const file of snapshots.flatMap((s) => s.files)) {
          expect(relative(root, resolve(dir, file.path)).startsWith('..')).toBe(false);
          expect(file.text).not.toContain('SECRET');
        }
        for (const problem of problems) expect(problem).toMatch(/^knowledge\.docs: /);
      }),
      { numRuns: 150 },
    );
  });
});
