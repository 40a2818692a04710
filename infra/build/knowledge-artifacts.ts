import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { artifactName, decodeArtifact } from '../../functions/knowledge/artifact';
import { type BuiltArtifact, buildArtifact, shortDigest } from '../knowledge/build-artifact';
import type { KnowledgeSnapshot } from '../knowledge/snapshot';
import { writeAtomically } from '../knowledge/write-atomically';

/** Where the Pulumi program writes the knowledge artifacts it uploads (git-ignored, beside dist/functions). */
export const KNOWLEDGE_BUILD_DIR = 'dist/knowledge';

export interface KnowledgeArtifactFile {
  /** The knowledge base's name (`docs`). */
  base: string;
  digest: string;
  /** `<digest>.json.gz`: the file name here and the object key in the knowledge bucket. */
  key: string;
  path: string;
  files: number;
  passages: number;
  /** Size of the gzipped artifact. */
  bytes: number;
  /** Files the builder could not split, named (`knowledge.docs: guide.md skipped: …`). */
  warnings: string[];
  /** `knowledge docs: 3 files, 41 passages, 1a2b3c4d5e6f (12.3 KB)`, for the program's log. */
  summary: string;
}

export interface WriteKnowledgeArtifactsOptions {
  snapshots: readonly KnowledgeSnapshot[];
  /** `dist/knowledge` under the repository root, by the program's default. */
  outDir: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Builds every base's artifact (`buildArtifact`, deterministic) into `outDir` as
 * `<digest>.json.gz`. The files are content-addressed: one already there that reads back as that
 * digest's artifact is neither rebuilt nor rewritten; a missing or damaged one is built and written
 * whole, then renamed.
 */
export function writeKnowledgeArtifacts({
  snapshots,
  outDir,
}: WriteKnowledgeArtifactsOptions): KnowledgeArtifactFile[] {
  const dir = resolve(outDir);
  return snapshots.map((snapshot) => {
    const key = artifactName(snapshot.digest);
    const path = join(dir, key);
    let built = keptArtifact(path, snapshot.digest);
    if (!built) {
      built = buildArtifact(snapshot);
      mkdirSync(dir, { recursive: true });
      writeAtomically(path, built.bytes);
    }
    const kb = `${(built.bytes.length / 1024).toFixed(1)} KB`;
    return {
      base: snapshot.name,
      digest: built.digest,
      key,
      path,
      files: built.files.length,
      passages: built.passages,
      bytes: built.bytes.length,
      warnings: built.warnings,
      summary:
        `knowledge ${snapshot.name}: ${plural(built.files.length, 'file')}, ` +
        `${plural(built.passages, 'passage')}, ${shortDigest(built.digest)} (${kb})`,
    };
  });
}

/** The artifact already in `path`, when it reads back as `digest`'s (its builder warnings were logged then). */
function keptArtifact(path: string, digest: string): BuiltArtifact | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  try {
    const { files, passages } = decodeArtifact(bytes, digest);
    return { digest, bytes, files, passages: passages.length, warnings: [] };
  } catch {
    return undefined; // damaged: built again
  }
}
