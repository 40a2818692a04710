import { type BuiltArtifact, buildArtifact, shortDigest } from './build-artifact';
import type { KnowledgeSnapshot } from './snapshot';

/** What the data folder remembers of a base's last build. */
export interface BuiltBase {
  digest: string;
  /** path → file digest */
  files: Record<string, string>;
  passages: number;
}

export type KnowledgeManifest = Record<string, BuiltBase>;

interface KeptBase {
  name: string;
  snapshot: KnowledgeSnapshot;
  passages: number;
  summary: string;
}

export type KnowledgeChange =
  | (KeptBase & { action: 'create' | 'update'; built: BuiltArtifact })
  | (KeptBase & { action: 'unchanged' })
  | { name: string; action: 'delete'; summary: string };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Compares the bases as they are now with the last build: a base whose digest is unchanged and
 * whose artifact is still there is neither rebuilt nor rewritten; a new or changed one is built
 * here, so the plan can say how many passages it has.
 */
export function planKnowledge(
  snapshots: readonly KnowledgeSnapshot[],
  previous: KnowledgeManifest,
  hasArtifact: (digest: string) => boolean,
): KnowledgeChange[] {
  const changes: KnowledgeChange[] = snapshots.map((snapshot): KnowledgeChange => {
    const { name, digest, files } = snapshot;
    const before = Object.hasOwn(previous, name) ? previous[name] : undefined;
    if (before?.digest === digest && hasArtifact(digest)) {
      const summary = `${plural(files.length, 'file')}, ${plural(before.passages, 'passage')}, ${shortDigest(digest)}`;
      return { name, action: 'unchanged', snapshot, passages: before.passages, summary };
    }
    const built = buildArtifact(snapshot);
    const facts = `${plural(files.length, 'file')}, ${plural(built.passages, 'passage')}, ${shortDigest(digest)}`;
    const kept = { name, snapshot, built, passages: built.passages };
    if (!before) return { ...kept, action: 'create', summary: facts };
    return { ...kept, action: 'update', summary: `${fileChanges(before, snapshot)} (${facts})` };
  });
  for (const name of Object.keys(previous).sort()) {
    if (!snapshots.some((s) => s.name === name)) changes.push({ name, action: 'delete', summary: 'removed' });
  }
  return changes;
}

function fileChanges(before: BuiltBase, snapshot: KnowledgeSnapshot): string {
  const now = new Map(snapshot.files.map((f) => [f.path, f.digest]));
  const paths = Object.keys(before.files);
  const added = [...now.keys()].filter((p) => !Object.hasOwn(before.files, p)).length;
  const changed = paths.filter((p) => now.has(p) && now.get(p) !== before.files[p]).length;
  const removed = paths.filter((p) => !now.has(p)).length;
  const parts = [
    ...(changed ? [`${plural(changed, 'file')} changed`] : []),
    ...(added ? [`${added} added`] : []),
    ...(removed ? [`${removed} removed`] : []),
  ];
  return parts.join(', ') || 'rebuilt (settings or format changed)';
}

const SYMBOL: Record<KnowledgeChange['action'], string> = { create: '+', update: '~', unchanged: '=', delete: '-' };

/** One line per base: `~ knowledge docs: 2 files changed, 1 removed (3 files, 41 passages, 1a2b…)`. */
export const formatKnowledgePlan = (changes: readonly KnowledgeChange[]): string[] =>
  changes.flatMap((c) => [
    `  ${SYMBOL[c.action]} knowledge ${c.name}: ${c.summary}`,
    ...('passages' in c && c.passages > LARGE_BASE_PASSAGES ? [largeBaseWarning(c.name, c.passages)] : []),
  ]);

/**
 * Above this, measured on 2 cores (`npm run bench -- knowledge`), a cold function loads the base
 * in more than 150 ms and a search may take more than 5 ms: both grow with the passages.
 */
export const LARGE_BASE_PASSAGES = 2000;

const largeBaseWarning = (name: string, passages: number) =>
  `  ! warning: knowledge ${name} has ${passages} passages; above ${LARGE_BASE_PASSAGES} a cold start loads it ` +
  `in more than 150 ms and searches slow down (about 0.7 s and 10 ms median at 10,000): split it by widget`;
