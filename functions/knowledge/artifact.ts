import { gunzipSync, gzipSync } from 'node:zlib';
import type { Passage } from './passage';
import { loadSearchIndex, type SearchIndex, type SerializedIndex } from './search-index';

/** Raised when the artifact layout changes: a new format gets a new digest, so a new object. */
export const ARTIFACT_FORMAT = 1;

export interface ArtifactFile {
  path: string;
  /** SHA-256 of the file's bytes (hex). */
  digest: string;
  passages: number;
}

/** One built knowledge base: immutable, named by its digest (`<digest>.json.gz`). */
export interface KnowledgeArtifact {
  format: typeof ARTIFACT_FORMAT;
  base: string;
  digest: string;
  files: ArtifactFile[];
  passages: Passage[];
  index: SerializedIndex;
}

/** A loaded artifact, ready to search. */
export interface LoadedKnowledge {
  base: string;
  digest: string;
  passages: Passage[];
  index: SearchIndex;
}

/** The object key (S3) or file name (data folder) of a digest's artifact. */
export const artifactName = (digest: string) => `${digest}.json.gz`;

export const encodeArtifact = (artifact: KnowledgeArtifact): Buffer => gzipSync(JSON.stringify(artifact));

/** Unzips and checks an artifact; throws with the reason when it is not the one asked for. */
export function decodeArtifact(bytes: Uint8Array, digest: string): KnowledgeArtifact {
  const json = gunzipSync(bytes).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new Error(`artifact is not JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('artifact is not a JSON object');
  }
  const artifact = parsed as Partial<KnowledgeArtifact>;
  if (artifact.format !== ARTIFACT_FORMAT) throw new Error(`artifact format ${artifact.format} is not supported`);
  if (artifact.digest !== digest) throw new Error(`artifact holds digest ${artifact.digest}, not ${digest}`);
  const { passages, index } = artifact;
  if (!Array.isArray(passages) || typeof index !== 'object' || index === null) {
    throw new Error('artifact has no passages or index');
  }
  // Checked here, so a damaged artifact is "not ready" at load, not a failure in some later answer.
  const bad = passages.findIndex((p: Partial<Passage> | null) => !isPassage(p));
  if (bad >= 0) throw new Error(`artifact passage ${bad} has no title, path and text`);
  if (index.documentCount !== passages.length) {
    throw new Error(`artifact holds ${passages.length} passages but indexes ${index.documentCount}`);
  }
  return artifact as KnowledgeArtifact;
}

const isPassage = (p: Partial<Passage> | null) =>
  typeof p === 'object' &&
  p !== null &&
  typeof p.title === 'string' &&
  typeof p.path === 'string' &&
  typeof p.text === 'string' &&
  (p.url === undefined || typeof p.url === 'string');

export function loadArtifact(bytes: Uint8Array, digest: string): LoadedKnowledge {
  const { base, passages, index } = decodeArtifact(bytes, digest);
  return { base, digest, passages, index: loadSearchIndex(index) };
}
