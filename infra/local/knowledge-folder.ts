import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { artifactName } from '../../functions/knowledge/artifact';
import { readArtifactsFromFolder } from '../../functions/knowledge/artifact-readers';
import type { ArtifactReader } from '../../functions/knowledge/knowledge-loader';
import type { KnowledgeChange, KnowledgeManifest } from '../knowledge/plan-knowledge';
import { writeAtomically } from '../knowledge/write-atomically';

const MANIFEST = 'bases.json';

/** Where the local target keeps knowledge artifacts: `<data folder>/knowledge/`, or memory. */
export interface KnowledgeFolder {
  manifest: KnowledgeManifest;
  hasArtifact(digest: string): boolean;
  /** Writes the artifacts a plan built and the manifest; before the records that name them. */
  write(changes: readonly KnowledgeChange[]): void;
  /** Deletes artifacts no base names any more (after the records moved on). */
  prune(): void;
  read: ArtifactReader;
}

export function openKnowledgeFolder(dataDir: string | undefined): KnowledgeFolder {
  if (dataDir === undefined) return memoryFolder();
  const folder = join(dataDir, 'knowledge');
  mkdirSync(folder, { recursive: true });
  const manifestFile = join(folder, MANIFEST);
  let manifest: KnowledgeManifest = {};
  try {
    if (existsSync(manifestFile)) manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as KnowledgeManifest;
  } catch {
    manifest = {}; // an unreadable manifest only costs a rebuild
  }
  const place = (name: string, bytes: Buffer | string) => writeAtomically(join(folder, name), bytes);
  return {
    manifest,
    hasArtifact: (digest) => existsSync(join(folder, artifactName(digest))),
    write(changes) {
      for (const change of changes) if ('built' in change) place(artifactName(change.built.digest), change.built.bytes);
      this.manifest = nextManifest(changes);
      place(MANIFEST, `${JSON.stringify(this.manifest, null, 2)}\n`);
    },
    prune() {
      const kept = new Set(Object.values(this.manifest).map((b) => artifactName(b.digest)));
      for (const file of readdirSync(folder)) {
        if (file.endsWith('.json.gz') && !kept.has(file)) rmSync(join(folder, file), { force: true });
      }
    },
    read: readArtifactsFromFolder(folder),
  };
}

function nextManifest(changes: readonly KnowledgeChange[]): KnowledgeManifest {
  const manifest: KnowledgeManifest = {};
  for (const change of changes) {
    if (change.action === 'delete') continue;
    const { snapshot, passages } = change;
    manifest[change.name] = {
      digest: snapshot.digest,
      files: Object.fromEntries(snapshot.files.map((f) => [f.path, f.digest])),
      passages,
    };
  }
  return manifest;
}

function memoryFolder(): KnowledgeFolder {
  const artifacts = new Map<string, Buffer>();
  return {
    manifest: {},
    hasArtifact: (digest) => artifacts.has(artifactName(digest)),
    write(changes) {
      for (const change of changes)
        if ('built' in change) artifacts.set(artifactName(change.built.digest), change.built.bytes);
      this.manifest = nextManifest(changes);
    },
    prune() {},
    read: async (name) => {
      const bytes = artifacts.get(name);
      if (!bytes) throw new Error(`no artifact ${name} in memory`);
      return bytes;
    },
  };
}
