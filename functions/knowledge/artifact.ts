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

export const encodeArtifact = (artifact: KnowledgeArtifact): Buffer => gzipSync(JSON.stringify(artifact), { level: 9 });

/** Unzips and checks an artifact; throws with the reason when it is not the one asked for. */
export function decodeArtifact(bytes: Uint8Array, digest: string): KnowledgeArtifact {
  const artifact = JSON.parse(gunzipSync(bytes).toString('utf8')) as Partial<KnowledgeArtifact>;
  if (artifact.format !== ARTIFACT_FORMAT) throw new Error(`artifact format ${artifact.format} is not supported`);
  if (artifact.digest !== digest) throw new Error(`artifact holds digest ${artifact.digest}, not ${digest}`);
  if (!Array.isArray(artifact.passages) || !artifact.index) throw new Error('artifact has no passages or index');
  return artifact as KnowledgeArtifact;
}

export function loadArtifact(bytes: Uint8Array, digest: string): LoadedKnowledge {
  const { base, passages, index } = decodeArtifact(bytes, digest);
  return { base, digest, passages, index: loadSearchIndex(index) };
}
