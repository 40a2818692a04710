import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Temporary folders for knowledge tests, removed after the file's tests. `repository` makes one
 * with a `.git` folder (how the repository root is found) and the given files in it.
 */
export function useTempFolders() {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const folder = () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'perch-knowledge-')));
    made.push(dir);
    return dir;
  };
  const repository = (files: Record<string, string | Buffer> = {}, { git = true } = {}) => {
    const root = folder();
    if (git) mkdirSync(join(root, '.git'));
    writeFiles(root, files);
    return root;
  };
  return { folder, repository };
}

/** Writes `files` (path → content) under `root`, making their folders. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}
