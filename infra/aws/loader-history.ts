import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';

/**
 * How long a content-hashed loader file replaced by a deploy stays served. Browsers and
 * CloudFront keep `loader.js` for up to 5 minutes, and an open page keeps the chat bundle its
 * loader named; a week covers both with room for a rollback.
 */
export const RETIRED_FILE_DAYS = 7;
/** The stack output through which a deploy tells the next one what it served. */
export const LOADER_HISTORY_OUTPUT = 'loaderHistory';

const DAY_MS = 86_400_000;

/** A content-hashed loader file as a deploy remembers it: enough to upload it again. */
export interface ServedFile {
  key: string;
  content: string;
  contentType: string;
  cacheControl: string;
  /** When the deploy that replaced it ran (ISO); absent while it is current. */
  retiredAt?: string;
}

/** What a file of the build needs for the history: its key, path and headers. */
interface BuiltFile {
  key: string;
  path: string;
  contentType: string;
  cacheControl: string;
}

/**
 * The files of earlier deploys to keep serving: hashed files no longer in this build, retired
 * less than RETIRED_FILE_DAYS ago (a file first missing from this build is retired now).
 * Anything older is no longer declared, so `pulumi up` deletes it from the bucket.
 */
export function retainedFiles(previous: readonly ServedFile[], build: readonly BuiltFile[], now: Date): ServedFile[] {
  const current = new Set(build.map((file) => file.key));
  const cutoff = now.getTime() - RETIRED_FILE_DAYS * DAY_MS;
  return previous
    .filter((file) => !current.has(file.key))
    .map((file) => ({ ...file, retiredAt: file.retiredAt ?? now.toISOString() }))
    .filter((file) => Date.parse(file.retiredAt) > cutoff);
}

/** What this deploy hands to the next: its own hashed files with their content, then the retained ones. */
export function loaderHistory(hashedFiles: readonly BuiltFile[], retained: readonly ServedFile[]): ServedFile[] {
  const own = hashedFiles.map(({ key, path, contentType, cacheControl }) => ({
    key,
    content: readFileSync(path, 'utf8'),
    contentType,
    cacheControl,
  }));
  return [...own, ...retained];
}

/**
 * The previous deploy's loader history, from this stack's own last outputs (a StackReference to
 * itself): empty on a first deploy, and for anything that does not look like a history.
 */
export async function previousLoaderHistory(): Promise<ServedFile[]> {
  const self = new pulumi.StackReference('loader-history', {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const value: unknown = await self.getOutputValue(LOADER_HISTORY_OUTPUT);
  return Array.isArray(value) ? value.filter(isServedFile) : [];
}

const isServedFile = (value: unknown): value is ServedFile => {
  const file = value as Partial<ServedFile> | null;
  return (
    typeof file?.key === 'string' &&
    /^v1\/[A-Za-z0-9._-]+$/.test(file.key) &&
    typeof file.content === 'string' &&
    typeof file.contentType === 'string' &&
    typeof file.cacheControl === 'string' &&
    (file.retiredAt === undefined || !Number.isNaN(Date.parse(file.retiredAt)))
  );
};
