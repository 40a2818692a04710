import { artifactName, type LoadedKnowledge, loadArtifact } from './artifact';
import type { KnowledgeRef } from './passage';

/** Reads an artifact's bytes by name: the data folder locally, the knowledge bucket on AWS. */
export type ArtifactReader = (name: string) => Promise<Uint8Array>;

export type KnowledgeResolution = { ready: true; bases: LoadedKnowledge[] } | { ready: false; reason: string };

/**
 * Loads each digest's artifact once and keeps it in memory (artifacts are immutable, so a digest
 * never needs reloading); a failed read is not kept, so the next message tries again.
 */
export function createKnowledgeLoader(read: ArtifactReader) {
  const loaded = new Map<string, Promise<LoadedKnowledge>>();
  const load = (digest: string) => {
    let pending = loaded.get(digest);
    if (!pending) {
      // Started in a then, so a reader that throws instead of rejecting is a failed load too.
      pending = Promise.resolve(artifactName(digest))
        .then(read)
        .then((bytes) => loadArtifact(bytes, digest));
      pending.catch(() => loaded.delete(digest));
      loaded.set(digest, pending);
    }
    return pending;
  };
  return async (refs: readonly KnowledgeRef[] | undefined): Promise<KnowledgeResolution> => {
    const settled = await Promise.allSettled((refs ?? []).map((ref) => load(ref.digest)));
    const failed = settled.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) {
      const { base, digest } = refs![failed]!;
      const { reason } = settled[failed] as PromiseRejectedResult;
      const message = (reason as { message?: unknown } | undefined)?.message;
      const why = typeof message === 'string' ? message : String(reason);
      return { ready: false, reason: `knowledge base ${base} (${digest}) unreadable: ${why}` };
    }
    return { ready: true, bases: settled.map((s) => (s as PromiseFulfilledResult<LoadedKnowledge>).value) };
  };
}

export type KnowledgeLoader = ReturnType<typeof createKnowledgeLoader>;
