import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type BuildOptions, build, type OutputFile, type Plugin } from 'esbuild';

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
  /** Files beside `index.js` it imports on first use (`client-s3.js`), each with its size. */
  lazyFiles: { file: string; bytes: number }[];
}

/**
 * A module the functions import only on first use (`await import(...)`). esbuild cannot split a
 * CommonJS bundle and would inline it, so it is bundled into a file of its own beside `index.js`
 * and the dynamic import points there: a cold start parses it only when the code path runs.
 */
interface LazyModule {
  specifier: string;
  /** File name beside `index.js`. */
  file: string;
  /** The names the functions take from it (the rest is tree-shaken away). */
  exports: readonly string[];
}

const LAZY_MODULES: readonly LazyModule[] = [
  // functions/knowledge/artifact-readers.ts: the knowledge bucket, read by the messages function
  // once per artifact; inlined, the S3 client would add ~220 KB to every bundle.
  { specifier: '@aws-sdk/client-s3', file: 'client-s3.js', exports: ['GetObjectCommand', 'S3Client'] },
];

/** A handler named in the route table has no file: the program cannot deploy it. */
export class MissingHandlerError extends Error {
  override name = 'MissingHandlerError';
}

/**
 * Bundles each function into its own minified CommonJS file for Lambda's `nodejs22.x` runtime
 * with a source map. The AWS SDK is bundled in, not taken from the runtime: the version is the
 * one the lockfile pins and the tests ran against, and a minified single file imports faster
 * than the runtime's unbundled copy. A dynamic import of one of the LAZY_MODULES becomes a file
 * of its own beside `index.js`. Used by the Pulumi program and by `npm run bench`.
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
  const common = commonOptions(minify);
  const lazyBuilds = new Map<LazyModule, Promise<OutputFile[]>>();
  const lazyOutput = (module: LazyModule) => {
    if (!lazyBuilds.has(module)) lazyBuilds.set(module, buildLazyModule(module, { rootDir, outDir, common }));
    return lazyBuilds.get(module)!;
  };
  return Promise.all(
    names.map(async (name): Promise<FunctionBundle> => {
      const dir = resolve(outDir, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'index.js');
      const lazy = new Set<LazyModule>();
      await build({
        ...common,
        entryPoints: [handlerFile(rootDir, name)],
        outfile: file,
        plugins: [lazyImports(lazy)],
      });
      const lazyFiles: FunctionBundle['lazyFiles'] = [];
      for (const module of [...lazy].sort((a, b) => a.file.localeCompare(b.file))) {
        for (const output of await lazyOutput(module)) writeFileSync(join(dir, basename(output.path)), output.contents);
        const lazyFile = join(dir, module.file);
        lazyFiles.push({ file: lazyFile, bytes: statSync(lazyFile).size });
      }
      return { name, dir, file, bytes: statSync(file).size, lazyFiles };
    }),
  );
}

function commonOptions(minify: boolean): BuildOptions {
  return {
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
  };
}

const LAZY_NAMESPACE = 'perch-lazy';

/**
 * Turns each dynamic import of a lazy module into a `require` of its file beside `index.js`, run
 * when the import is, and notes the module in `used`. A `require`, not an `import()` kept as is:
 * that would start Node's ES module loader for one CommonJS file, measured several times slower.
 */
function lazyImports(used: Set<LazyModule>): Plugin {
  return {
    name: 'perch-lazy-modules',
    setup(plugin) {
      for (const module of LAZY_MODULES) {
        const filter = new RegExp(`^${module.specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
        plugin.onResolve({ filter }, (args) => {
          // A static import stays inlined: the module is needed at load time anyway.
          if (args.kind !== 'dynamic-import') return undefined;
          used.add(module);
          return { path: module.file, namespace: LAZY_NAMESPACE };
        });
      }
      // esbuild wraps this CommonJS stub so that its body, the require, runs on first import.
      plugin.onLoad({ filter: /.*/, namespace: LAZY_NAMESPACE }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${args.path}`)});`,
        loader: 'js',
      }));
      plugin.onResolve({ filter: /.*/, namespace: LAZY_NAMESPACE }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** One lazy module as a CommonJS file (and its map) exporting the names the functions use. */
async function buildLazyModule(
  module: LazyModule,
  { rootDir, outDir, common }: { rootDir: string; outDir: string; common: BuildOptions },
): Promise<OutputFile[]> {
  const result = await build({
    ...common,
    stdin: {
      contents: `export { ${module.exports.join(', ')} } from ${JSON.stringify(module.specifier)};`,
      resolveDir: rootDir,
      sourcefile: module.file.replace(/\.js$/, '.ts'),
      loader: 'ts',
    },
    // Not written here but into each bundle folder that imports it: as deep as they are, so the
    // map's source paths hold from there.
    outfile: join(resolve(outDir), 'lazy', module.file),
    write: false,
  });
  return result.outputFiles;
}

function handlerFile(rootDir: string, name: string): string {
  return resolve(rootDir, HANDLERS_DIR, `${name}.ts`);
}
