import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocumentClient } from '../functions/records/client';
import { validateConfig } from '../infra/config/load';
import { resolveConfig } from '../infra/config/resolve';
import { ensureTable, startLocalDatabase } from '../infra/local/database';
import { countChanges } from '../infra/reconcile/plan';
import { reconcile } from '../infra/reconcile/reconcile';

const WIDGETS = 1_000;
const TARGET_FIRST_S = 10;
const TARGET_SECOND_S = 3;

/** A config of `count` realistic widgets: origins, limits, quick actions and a small FAQ each. */
function generateConfig(count: number) {
  const widgets: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    widgets[`widget-${String(i).padStart(4, '0')}`] = {
      name: `Widget ${i}`,
      model: 'local',
      greeting: `Hello from widget ${i}`,
      allowedOrigins: [`https://site-${i}.example.com`, 'https://*.example.org'],
      limits: { perMinute: 10 + (i % 7), perDay: 200 + i },
      quickActions: ['How do I start?', 'What does it cost?'],
      faq: Array.from({ length: 5 }, (_, n) => ({
        question: `Question ${n} about widget ${i}?`,
        answer: `Answer ${n}: ${'lorem ipsum '.repeat(20)}`,
      })),
    };
  }
  return validateConfig({ models: { local: { provider: 'faq' } }, widgets });
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const verdict = (value: number, target: number) => (value <= target ? `≤ ${target} s ✓` : `> ${target} s ✗ MISSED`);

/** Plan + apply of 1,000 widgets against dynalite persisted on disk: first apply, then a no-op. */
export default async function reconcileBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perch-bench-'));
  const database = await startLocalDatabase({ path: join(dir, 'db') });
  try {
    const doc = createDocumentClient(database.client);
    await ensureTable(database.client, 'perch');
    const config = resolveConfig(generateConfig(WIDGETS), 'local');

    let started = process.hrtime.bigint();
    const first = await reconcile(doc, 'perch', config);
    const firstS = seconds(started);
    const created = countChanges(first.plan).create;

    started = process.hrtime.bigint();
    const second = await reconcile(doc, 'perch', config);
    const secondS = seconds(started);

    console.log(`reconcile ${WIDGETS} widgets against dynalite on disk (${dir}):`);
    console.log(
      `  first apply      ${firstS.toFixed(2)} s  ${verdict(firstS, TARGET_FIRST_S)}` +
        `  (${created} created, ${first.writes} records written)`,
    );
    console.log(
      `  no-change apply  ${secondS.toFixed(2)} s  ${verdict(secondS, TARGET_SECOND_S)}` +
        `  (${second.plan.changes.length} changes, ${second.writes} records written)`,
    );
    if (second.plan.changes.length !== 0)
      throw new Error(`the second apply planned ${second.plan.changes.length} changes`);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
