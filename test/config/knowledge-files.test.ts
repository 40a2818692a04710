import { linkSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfigWithKnowledge, loadResolvedConfig } from '../../infra/config/load';
import { MAX_BASE_BYTES, MAX_BASE_FILES } from '../../infra/knowledge/snapshot';
import { writeConfigFile } from '../fixtures/config-file';
import { useTempFolders, writeFiles } from '../knowledge/temp-repository';

// What the files of a knowledge base can get wrong, as `check`, `npm start` and the plan see it.
const temp = useTempFolders();

const configOf = (knowledge: Record<string, unknown>, widget: Record<string, unknown> = {}) => ({
  models: { local: { provider: 'faq' } },
  knowledge,
  widgets: { 'docs-bot': { name: 'Docs', model: 'local', knowledge: Object.keys(knowledge), ...widget } },
});

async function problemsOf(file: string): Promise<string[]> {
  try {
    await loadConfigWithKnowledge(file);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

interface Layout {
  /** The repository (holds `.git`). */
  root: string;
  /** The config file's folder, `site/` inside it. */
  dir: string;
  /** A folder outside the repository, with `secret.md` and `private/key.md`. */
  outside: string;
}

/** A repository with the config in `site/`, its docs beside it, and a folder outside it. */
function layout(): Layout {
  const outside = temp.folder();
  writeFiles(outside, { 'secret.md': '# Secret\n\nkeys', 'private/key.md': '# Key' });
  const root = temp.repository({ 'README.md': '# Readme', 'site/docs/guide.md': '# Guide\n\nRun it.' });
  return { root, dir: join(root, 'site'), outside };
}

type Row = [string, (at: Layout) => Record<string, unknown>, (at: Layout) => string[]];
const leaves = (pattern: string, root: string) =>
  `knowledge.docs: ${JSON.stringify(pattern)} leaves the repository (${root}); use a relative glob inside it`;

const refused: Row[] = [
  [
    'a base matching no file',
    () => ({ docs: { include: ['guides/**/*.md'] } }),
    ({ dir }) => [`knowledge.docs: matches no readable file (include ["guides/**/*.md"], from ${dir})`],
  ],
  [
    'a base matching only files of other types',
    ({ dir }) => {
      writeFiles(dir, { 'docs/logo.png': 'png', 'docs/data.json': '{}' });
      return { docs: { include: ['docs/*.png', 'docs/*.json'] } };
    },
    ({ dir }) => [`knowledge.docs: matches no readable file (include ["docs/*.png","docs/*.json"], from ${dir})`],
  ],
  [
    'a glob climbing out with ..',
    () => ({ docs: { include: ['../../*.md'] } }),
    ({ root }) => [leaves('../../*.md', root)],
  ],
  [
    'a glob climbing out behind a globstar (site/docs/**/../../../.. is above the root)',
    () => ({ docs: { include: ['docs/**/../../../..'] } }),
    ({ root }) => [leaves('docs/**/../../../..', root)],
  ],
  [
    'a glob climbing out behind a wildcard, into a named folder',
    ({ outside }) => ({ docs: { include: [`docs/*/../../../../${outside.split('/').at(-1)}/*.md`] } }),
    ({ root, outside }) => [leaves(`docs/*/../../../../${outside.split('/').at(-1)}/*.md`, root)],
  ],
  [
    'an absolute glob',
    ({ outside }) => ({ docs: { include: [`${outside}/*.md`] } }),
    ({ root, outside }) => [leaves(`${outside}/*.md`, root)],
  ],
  [
    'an absolute glob into the repository itself',
    ({ dir }) => ({ docs: { include: [`${dir}/docs/*.md`] } }),
    ({ root, dir }) => [leaves(`${dir}/docs/*.md`, root)],
  ],
  [
    'a Windows drive path',
    () => ({ docs: { include: ['C:/docs/*.md'] } }),
    ({ root }) => [leaves('C:/docs/*.md', root)],
  ],
  [
    'an exclude climbing out (both listed)',
    () => ({ docs: { include: ['docs/*.md', '/etc/*'], exclude: ['../../**'] } }),
    ({ root }) => [leaves('/etc/*', root), leaves('../../**', root)],
  ],
  [
    'a symlink to a file outside the repository',
    ({ dir, outside }) => {
      symlinkSync(join(outside, 'secret.md'), join(dir, 'docs/secret.md'));
      return { docs: { include: ['docs/*.md'] } };
    },
    () => ['knowledge.docs: docs/secret.md links outside the repository; remove the link or exclude it'],
  ],
  [
    'a symlinked folder outside the repository',
    ({ dir, outside }) => {
      symlinkSync(join(outside, 'private'), join(dir, 'docs/shared'));
      return { docs: { include: ['docs/**/*.md'] } };
    },
    () => ['knowledge.docs: docs/shared/key.md links outside the repository; remove the link or exclude it'],
  ],
  [
    'more files than MAX_BASE_FILES',
    ({ dir }) => {
      mkdirSync(join(dir, 'many'));
      writeFileSync(join(dir, 'many/0.txt'), 'x');
      // Hard links: one more file than allowed, made fast.
      for (let i = 1; i <= MAX_BASE_FILES; i++) linkSync(join(dir, 'many/0.txt'), join(dir, 'many', `${i}.txt`));
      return { docs: { include: ['many/*.txt'] } };
    },
    () => [`knowledge.docs: ${MAX_BASE_FILES + 1} files, more than the limit of ${MAX_BASE_FILES} files; ${NARROW}`],
  ],
  [
    'more bytes than MAX_BASE_BYTES (one sparse file a byte over)',
    ({ dir }) => {
      // A sparse file: its size without writing its bytes.
      writeFileSync(join(dir, 'docs/huge.txt'), '');
      truncateSync(join(dir, 'docs/huge.txt'), MAX_BASE_BYTES + 1);
      return { docs: { include: ['docs/huge.txt'] } };
    },
    () => [`knowledge.docs: 25.1 MB, more than the limit of 25 MB; ${NARROW}`],
  ],
];
const NARROW = 'narrow include or add exclude';

describe('loadConfigWithKnowledge refuses', () => {
  test.each(refused)('%s', async (_name, arrange, expected) => {
    const at = layout();
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), configOf(arrange(at)));

    const problems = await problemsOf(file);

    expect(problems).toEqual(expected(at));
  });

  test('without .git the config folder is the repository: a sibling file is outside', async () => {
    const dir = temp.repository({ 'docs/a.md': '# A' }, { git: false });
    const file = writeConfigFile(join(dir, 'widgets.config.ts'), configOf({ docs: { include: ['../*.md'] } }));
    expect(await problemsOf(file)).toEqual([leaves('../*.md', dir)]);
  });

  test('every bad base at once, by name, each naming itself', async () => {
    const at = layout();
    const knowledge = { zeta: { include: ['none/*.md'] }, alpha: { include: ['/abs/*.md'] } };
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), configOf(knowledge));
    expect(await problemsOf(file)).toEqual([
      `knowledge.alpha: "/abs/*.md" leaves the repository (${at.root}); use a relative glob inside it`,
      `knowledge.zeta: matches no readable file (include ["none/*.md"], from ${at.dir})`,
    ]);
  });

  test('an invalid config is refused before any file is read', async () => {
    const at = layout();
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), configOf({ Docs: { include: ['/etc/*'] } }));
    expect(await problemsOf(file)).toEqual([
      'knowledge.Docs: knowledge base name must be a lower-case slug (a-z, 0-9, -), e.g. docs',
    ]);
  });
});

describe('loadConfigWithKnowledge accepts', () => {
  test('a glob up to the repository root from a config in a subfolder, paths relative to the config', async () => {
    const at = layout();
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), configOf({ docs: { include: ['../*.md'] } }));

    const { knowledge } = await loadConfigWithKnowledge(file);

    expect(knowledge.map((k) => k.files.map((f) => f.path))).toEqual([['../README.md']]);
  });

  test('a symlink that stays inside the repository', async () => {
    const at = layout();
    symlinkSync(join(at.root, 'README.md'), join(at.dir, 'docs/readme.md'));
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), configOf({ docs: { include: ['docs/*.md'] } }));

    const { knowledge } = await loadConfigWithKnowledge(file);

    expect(knowledge[0]!.files.map((f) => [f.path, f.text])).toEqual([
      ['docs/guide.md', '# Guide\n\nRun it.'],
      ['docs/readme.md', '# Readme'],
    ]);
  });
});

describe('loadResolvedConfig', () => {
  const twoBases = (at: Layout) => {
    writeFiles(at.dir, { 'api/keys.md': '# Keys\n\nRotate them.' });
    return { docs: { include: ['docs/*.md'] }, api: { include: ['api/*.md'], url: 'https://api.example.com/{slug}' } };
  };

  test("binds each widget's bases, in its order, to the digests of their snapshots", async () => {
    const at = layout();
    const config = configOf(twoBases(at), { knowledge: ['docs', 'api', 'docs'] });
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), config);

    const resolved = await loadResolvedConfig(file, 'local');

    const digest = (name: string) => resolved.knowledge.find((k) => k.name === name)!.digest;
    expect(resolved.widgets[0]!.knowledge).toEqual([
      { base: 'docs', digest: digest('docs') },
      { base: 'api', digest: digest('api') },
    ]);
    expect(digest('docs')).toMatch(/^[0-9a-f]{64}$/);
    expect(digest('docs')).not.toBe(digest('api'));
  });

  test("a stack override replaces a widget's bases on that stack only", async () => {
    const at = layout();
    const config = {
      ...configOf(twoBases(at), { knowledge: 'docs' }),
      stacks: { prod: { widgets: { 'docs-bot': { knowledge: ['api'] } } } },
    };
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), config);

    const [local, prod] = [await loadResolvedConfig(file, 'local'), await loadResolvedConfig(file, 'prod')];

    expect(local.widgets[0]!.knowledge.map((k) => k.base)).toEqual(['docs']);
    expect(prod.widgets[0]!.knowledge).toEqual([
      { base: 'api', digest: prod.knowledge.find((k) => k.name === 'api')!.digest },
    ]);
    expect(prod.knowledge.map((k) => k.digest)).toEqual(local.knowledge.map((k) => k.digest));
  });

  test('skipped files come back as warnings naming the base and the file', async () => {
    const at = layout();
    writeFiles(at.dir, { 'docs/latin1.md': Buffer.from([0x63, 0x61, 0x66, 0xe9]) });
    const file = writeConfigFile(join(at.dir, 'widgets.config.ts'), configOf({ docs: { include: ['docs/*'] } }));

    const resolved = await loadResolvedConfig(file, 'local');

    expect(resolved.warnings).toContain('knowledge.docs: docs/latin1.md skipped: not UTF-8 text');
  });
});
