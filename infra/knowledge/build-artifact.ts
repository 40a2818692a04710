import {
  ARTIFACT_FORMAT,
  type ArtifactFile,
  encodeArtifact,
  type KnowledgeArtifact,
} from '../../functions/knowledge/artifact';
import type { Passage } from '../../functions/knowledge/passage';
import { buildSearchIndex } from '../../functions/knowledge/search-index';
import { readDocument } from './read-document';
import type { KnowledgeSnapshot } from './snapshot';
import { sourceUrl, splitPassages } from './split-passages';

export interface BuiltArtifact {
  digest: string;
  /** The gzipped artifact: `<digest>.json.gz`. */
  bytes: Buffer;
  files: ArtifactFile[];
  passages: number;
  /** Files that could not be split, named. */
  warnings: string[];
}

/** Reads, splits and indexes a snapshot's files into its artifact (deterministic bytes). */
export function buildArtifact(snapshot: KnowledgeSnapshot): BuiltArtifact {
  const passages: Passage[] = [];
  const files: ArtifactFile[] = [];
  const warnings: string[] = [];
  for (const file of snapshot.files) {
    let split: ReturnType<typeof splitPassages> = [];
    try {
      split = splitPassages(readDocument(file.path, file.text));
    } catch (error) {
      warnings.push(`knowledge.${snapshot.name}: ${file.path} skipped: ${(error as Error).message}`);
    }
    for (const { title, anchor, text } of split) {
      const url = sourceUrl(snapshot.url, file.path, anchor);
      passages.push(url === undefined ? { title, path: file.path, text } : { title, path: file.path, url, text });
    }
    files.push({ path: file.path, digest: file.digest, passages: split.length });
  }
  const artifact: KnowledgeArtifact = {
    format: ARTIFACT_FORMAT,
    base: snapshot.name,
    digest: snapshot.digest,
    files,
    passages,
    index: buildSearchIndex(passages).toJSON(),
  };
  return { digest: snapshot.digest, bytes: encodeArtifact(artifact), files, passages: passages.length, warnings };
}

/** A short digest for people: the first 12 hex characters. */
export const shortDigest = (digest: string) => digest.slice(0, 12);
