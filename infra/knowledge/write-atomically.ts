import { renameSync, writeFileSync } from 'node:fs';

/** Writes a file whole under a temporary name, then renames it: never a half-written artifact. */
export function writeAtomically(path: string, bytes: Buffer | string): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
}
