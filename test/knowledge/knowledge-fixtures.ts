import { type LoadedKnowledge, loadArtifact } from '../../functions/knowledge/artifact';
import { buildArtifact } from '../../infra/knowledge/build-artifact';
import type { KnowledgeSnapshot } from '../../infra/knowledge/snapshot';

export const DIGEST = 'a'.repeat(64);

/** A snapshot as snapshotKnowledge makes it, without the files on disk (file digests are made up). */
export function snapshotOf(files: Record<string, string>, more: Partial<KnowledgeSnapshot> = {}): KnowledgeSnapshot {
  return {
    name: 'docs',
    digest: DIGEST,
    files: Object.entries(files).map(([path, text], i) => ({ path, text, digest: String(i % 10).repeat(64) })),
    bytes: Object.values(files).join('').length,
    ...more,
  };
}

/** Files built into an artifact and loaded back, as the messages function holds them. */
export function loadedBase(files: Record<string, string>, more: Partial<KnowledgeSnapshot> = {}): LoadedKnowledge {
  const snapshot = snapshotOf(files, more);
  return loadArtifact(buildArtifact(snapshot).bytes, snapshot.digest);
}
