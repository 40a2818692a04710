import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalTarget } from '../../infra/local/target';
import { knowledgeConfigDir } from '../conversations/knowledge-perch';
import { writeConfigFile } from '../fixtures/config-file';

// Knowledge bases through the local target's apply, on dynalite persisted in a data folder:
// planned like resources, built only when their files change, written before the records.
let dir: string;
let configFile: string;
const widget = (knowledge?: string) => ({
  name: 'Docs',
  model: 'local',
  allowedOrigins: ['https://docs.example.com'],
  ...(knowledge && { knowledge }),
});

beforeAll(() => {
  ({ dir, configFile } = knowledgeConfigDir({ 'docs-bot': widget('docs') }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const artifacts = () => readdirSync(join(dir, '.perch', 'knowledge')).filter((f) => f.endsWith('.json.gz'));

async function apply() {
  const lines: string[] = [];
  const target = await startLocalTarget({
    configFile,
    port: 0,
    dataDir: join(dir, '.perch'),
    log: (line) => lines.push(...line.split('\n')),
  });
  const record = target.widgets.find((w) => w.widgetId === 'docs-bot')!;
  await target.close();
  const knowledgeLines = lines.filter((l) => /^ {2}[-+~=] knowledge /.test(l) || l.startsWith('Knowledge:'));
  return { lines, knowledgeLines, record };
}

test('create, unchanged, edited file, removed file, removed base', async () => {
  // Created: built, written, named by the widget record.
  const created = await apply();
  const [digest] = created.record.knowledge!.map((k) => k.digest);
  expect(created.knowledgeLines).toEqual([
    `  + knowledge docs: 3 files, 6 passages, ${digest!.slice(0, 12)}`,
    'Knowledge: 1 to build, 0 unchanged, 0 to delete.',
  ]);
  expect(artifacts()).toEqual([`${digest}.json.gz`]);
  const written = statSync(join(dir, '.perch', 'knowledge', `${digest}.json.gz`)).mtimeMs;

  // Unchanged: neither rebuilt nor rewritten, and the widget record is left alone.
  const same = await apply();
  expect(same.knowledgeLines[0]).toBe(`  = knowledge docs: 3 files, 6 passages, ${digest!.slice(0, 12)}`);
  expect(same.lines).toContain('  No changes. The table matches the config.');
  expect(statSync(join(dir, '.perch', 'knowledge', `${digest}.json.gz`)).mtimeMs).toBe(written);

  // An edited file: a new digest, the widget points at it, the old artifact goes.
  writeFileSync(join(dir, 'docs/billing.md'), '# Billing\n\n## Refunds\n\nNo refunds after 30 days.\n');
  const edited = await apply();
  const next = edited.record.knowledge![0]!.digest;
  expect(next).not.toBe(digest);
  expect(edited.knowledgeLines[0]).toBe(
    `  ~ knowledge docs: 1 file changed (3 files, 5 passages, ${next.slice(0, 12)})`,
  );
  expect(edited.lines.some((l) => l.trim().startsWith('knowledge: [{"base":"docs"'))).toBe(true);
  expect(artifacts()).toEqual([`${next}.json.gz`]);

  // A removed file.
  rmSync(join(dir, 'docs/team.html'));
  const removed = await apply();
  expect(removed.knowledgeLines[0]).toMatch(/^ {2}~ knowledge docs: 1 removed \(2 files, 4 passages, [0-9a-f]{12}\)$/);

  // A removed base (and the widget no longer naming it): deleted, its artifact too.
  // A new file: a module once imported stays cached under its path.
  configFile = writeConfigFile(join(dir, 'without-knowledge.config.ts'), {
    models: { local: { provider: 'faq' } },
    widgets: { 'docs-bot': widget() },
  });
  const gone = await apply();
  expect(gone.knowledgeLines).toEqual([
    '  - knowledge docs: removed',
    'Knowledge: 0 to build, 0 unchanged, 1 to delete.',
  ]);
  expect(gone.record.knowledge).toBeUndefined();
  expect(artifacts()).toEqual([]);
});
