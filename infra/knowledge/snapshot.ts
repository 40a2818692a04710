import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { ARTIFACT_FORMAT } from '../../functions/knowledge/artifact';
import type { KnowledgeBaseConfig } from '../config/schema';
import { DOCUMENT_TYPES } from './read-document';

/** Per base: more would make an artifact too slow to load in a cold function. */
export const MAX_BASE_BYTES = 25 * 1024 * 1024;
export const MAX_BASE_FILES = 5000;
/** Never knowledge, whatever a glob says. */
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**', '**/.perch/**'];
/** Bumped when splitting or indexing changes, so every base is rebuilt once. */
const BUILDER_VERSION = 3;

export interface SnapshotFile {
  /** Relative to the config file's folder, POSIX separators. */
  path: string;
  text: string;
  digest: string;
}

/** A knowledge base's files as they are now, and the digest that will name its artifact. */
export interface KnowledgeSnapshot {
  name: string;
  digest: string;
  url?: string;
  files: SnapshotFile[];
  bytes: number;
}

export interface SnapshotResult {
  snapshots: KnowledgeSnapshot[];
  /** `knowledge.<name>: …` lines that make the config invalid. */
  problems: string[];
  warnings: string[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The nearest folder holding `.git` above the config, else the config's own folder. */
export function repositoryRoot(configDir: string): string {
  for (let dir = configDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return configDir;
  }
}

const inside = (root: string, file: string) => {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

/**
 * Reads every declared base's files (globs relative to the config's folder) and digests them.
 * A glob or link that leaves the repository, a base with no file or over its limits is a problem;
 * a file of an unknown type or not UTF-8 text is skipped with a warning naming it.
 */
export async function snapshotKnowledge(
  bases: Readonly<Record<string, KnowledgeBaseConfig>>,
  configDir: string,
): Promise<SnapshotResult> {
  const result: SnapshotResult = { snapshots: [], problems: [], warnings: [] };
  const root = realpathSync(repositoryRoot(configDir));
  const from = realpathSync(configDir);
  // Normalised first, so `docs/**/../../..` is seen for what it is; links are checked per file below.
  const leaves = (pattern: string) =>
    isAbsolute(pattern) ||
    /^[a-z]:/i.test(pattern) ||
    !inside(root, join(from, posix.normalize(pattern).replace(/[*?[{].*$/, '')));
  for (const [name, base] of Object.entries(bases).sort(([a], [b]) => a.localeCompare(b))) {
    const at = `knowledge.${name}`;
    const escaping = [...base.include, ...(base.exclude ?? [])].filter(leaves);
    for (const pattern of escaping) {
      result.problems.push(
        `${at}: ${JSON.stringify(pattern)} leaves the repository (${root}); use a relative glob inside it`,
      );
    }
    if (escaping.length > 0) continue;
    const matched = await glob(base.include, {
      cwd: configDir,
      ignore: [...(base.exclude ?? []), ...ALWAYS_EXCLUDED],
      onlyFiles: true,
      expandDirectories: false,
    });
    const paths = [...new Set(matched.map((m) => m.split(sep).join(posix.sep)))].sort();
    const documents: string[] = [];
    const skipped: string[] = [];
    for (const path of paths) {
      const real = realPath(join(configDir, path));
      if (real !== undefined && !inside(root, real)) {
        result.problems.push(`${at}: ${path} links outside the repository; remove the link or exclude it`);
      } else if (!DOCUMENT_TYPES.some((ext) => path.toLowerCase().endsWith(ext))) {
        skipped.push(`${at}: ${path} skipped: not a ${DOCUMENT_TYPES.join(', ')} file`);
      } else documents.push(path);
    }
    const narrow = 'narrow include or add exclude';
    // Counted and sized before anything is read: a glob over a whole disk must not fill the memory.
    if (documents.length > MAX_BASE_FILES) {
      result.problems.push(
        `${at}: ${documents.length} files, more than the limit of ${MAX_BASE_FILES} files; ${narrow}`,
      );
      continue;
    }
    const size = await totalSize(documents.map((path) => join(configDir, path)));
    if (size > MAX_BASE_BYTES) {
      result.problems.push(`${at}: ${megabytes(size)}, more than the limit of ${megabytes(MAX_BASE_BYTES)}; ${narrow}`);
      continue;
    }
    const files: SnapshotFile[] = [];
    let bytes = 0;
    for (const path of documents) {
      const read = await readText(join(configDir, path));
      if (typeof read !== 'object') {
        skipped.push(`${at}: ${path} skipped: ${read}`);
        continue;
      }
      bytes += read.bytes.length;
      files.push({ path, text: read.text, digest: sha256(read.bytes) });
    }
    result.warnings.push(...skipped.sort());
    if (files.length === 0) {
      result.problems.push(
        `${at}: matches no readable file (include ${JSON.stringify(base.include)}, from ${configDir})`,
      );
    } else if (bytes > MAX_BASE_BYTES) {
      result.problems.push(
        `${at}: ${megabytes(bytes)}, more than the limit of ${megabytes(MAX_BASE_BYTES)}; ${narrow}`,
      );
    } else {
      const identity = [ARTIFACT_FORMAT, BUILDER_VERSION, name, base.url ?? null, files.map((f) => [f.path, f.digest])];
      result.snapshots.push({ name, digest: sha256(JSON.stringify(identity)), url: base.url, files, bytes });
    }
  }
  return result;
}

/** Rounded up, so a size just over a limit never reads as the limit itself: `25.1 MB`, `25 MB`. */
const megabytes = (n: number) => `${Math.ceil(n / 104_857.6) / 10} MB`;

// undefined when the file went away after the glob: reading it then says so, as a warning.
function realPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

async function totalSize(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files)
    total += await stat(file).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

async function readText(file: string): Promise<{ bytes: Buffer; text: string } | string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  try {
    return { bytes, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    return 'not UTF-8 text';
  }
}
