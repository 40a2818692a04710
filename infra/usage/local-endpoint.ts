import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * While `npm start` runs, dynalite holds the LevelDB lock on the data folder, so other
 * processes (`npm run usage`) must talk to its endpoint instead; the target publishes it here.
 */
export const LOCAL_ENDPOINT_FILE = 'local-endpoint.json';

export interface LocalEndpoint {
  endpoint: string;
  pid: number;
  table: string;
}

export function writeLocalEndpoint(dataDir: string, endpoint: string, table: string): void {
  const content: LocalEndpoint = { endpoint, pid: process.pid, table };
  writeFileSync(join(dataDir, LOCAL_ENDPOINT_FILE), `${JSON.stringify(content)}\n`);
}

/** Removes the file if this process wrote it (a newer target may own the folder by now). */
export function removeLocalEndpoint(dataDir: string): void {
  if (readLocalEndpoint(dataDir)?.pid === process.pid) rmSync(join(dataDir, LOCAL_ENDPOINT_FILE), { force: true });
}

/**
 * The endpoint of the target running on `dataDir`, or undefined when there is none: no file,
 * a file left by a process that is gone (`kill -9`), or a file that is not ours (only a
 * loopback http endpoint is accepted, so a planted file cannot send the reads elsewhere).
 */
export function readLocalEndpoint(dataDir: string): LocalEndpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, LOCAL_ENDPOINT_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const { endpoint, pid, table } = (parsed ?? {}) as Partial<LocalEndpoint>;
  if (typeof endpoint !== 'string' || !/^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(endpoint)) return undefined;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof table !== 'string') return undefined;
  return isRunning(pid) ? { endpoint, pid, table } : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
