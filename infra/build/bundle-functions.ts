import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** Where `functions/handlers/<name>.ts` live, relative to the repository root. */
export const HANDLERS_DIR = 'functions/handlers';
/** Lambda's `handler` setting for every bundle: `index.js`, export `handler`. */
export const BUNDLE_HANDLER = 'index.handler';

export interface BundleFunctionsOptions {
  /** Function names: each bundles `functions/handlers/<name>.ts`. */
  names: readonly string[];
  /** One folder per function is written under it (`<outDir>/<name>/index.js` + `.map`). */
  outDir: string;
  /** Repository root; the handlers are found under it. */
  rootDir?: string;
  minify?: boolean;
}

export interface FunctionBundle {
  name: string;
  /** Folder holding `index.js` and `index.js.map`: the Lambda code archive. */
  dir: string;
  file: string;
  /** Size of the minified `index.js` in bytes (the source map excluded). */
  bytes: number;
}

/** A handler named in the route table has no file: the program cannot deploy it. */
export class MissingHandlerError extends Error {
  override name = 'MissingHandlerError';
}

/**
 * Bundles each function into its own minified CommonJS file for Lambda's `nodejs22.x` runtime
 * with a source map. The AWS SDK is bundled in, not taken from the runtime: the version is the
 * one the lockfile pins and the tests ran against, and a minified single file imports faster
 * than the runtime's unbundled copy. Used by the Pulumi program and by `npm run bench`.
 */
export async function bundleFunctions({
  names,
  outDir,
  rootDir = process.cwd(),
  minify = true,
}: BundleFunctionsOptions): Promise<FunctionBundle[]> {
  const missing = names.filter((name) => !existsSync(handlerFile(rootDir, name)));
  if (missing.length > 0) {
    throw new MissingHandlerError(
      `no handler file for ${missing.map((name) => `"${name}" (${HANDLERS_DIR}/${name}.ts)`).join(', ')}: ` +
        'functions/routes.ts declares it; write the handler (exporting `handler`) or remove it from the route table',
    );
  }
  return Promise.all(
    names.map(async (name): Promise<FunctionBundle> => {
      const dir = resolve(outDir, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'index.js');
      await build({
        entryPoints: [handlerFile(rootDir, name)],
        outfile: file,
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        minify,
        // Maps carry mappings only (no source text): small, and cheap for `--enable-source-maps`.
        sourcemap: true,
        sourcesContent: false,
        // The SDK's ES module builds tree-shake far better than its CommonJS ones (~220 KB less).
        mainFields: ['module', 'main'],
        // Keep class and function names readable in stack traces and logs.
        keepNames: true,
        legalComments: 'none',
        logLevel: 'silent',
      });
      return { name, dir, file, bytes: statSync(file).size };
    }),
  );
}

function handlerFile(rootDir: string, name: string): string {
  return resolve(rootDir, HANDLERS_DIR, `${name}.ts`);
}
