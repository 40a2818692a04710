import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type OutputFile, type Plugin, transform } from 'esbuild';

/** Budgets in gzip bytes (STYLE.md: size is a feature); held by test/loader/size.test.ts. */
export const LOADER_GZIP_BUDGET = 2600;
export const CHAT_GZIP_BUDGET = 7000;

export interface BundleFile {
  /** `loader.js` or `chat.<hash>.js`. */
  name: string;
  contents: Buffer;
  gzip: Buffer;
}

export interface LoaderBundles {
  loader: BundleFile;
  chat: BundleFile;
}

const SOURCE = join(__dirname, 'src');

/** `import css from './x.css'` yields the minified CSS text, for a constructed stylesheet. */
const minifiedCssText: Plugin = {
  name: 'minified-css-text',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { code } = await transform(readFileSync(path, 'utf8'), { loader: 'css', minify: true });
      return { contents: code.trim(), loader: 'text' };
    });
  },
};

const COMMON: BuildOptions = {
  plugins: [minifiedCssText],
  bundle: true,
  minify: true,
  target: ['chrome100', 'firefox100', 'safari16.4'],
  legalComments: 'none',
  charset: 'utf8',
  outdir: 'out',
};

function toFile(name: string, contents: Uint8Array): BundleFile {
  const buffer = Buffer.from(contents);
  return { name, contents: buffer, gzip: gzipSync(buffer, { level: 9 }) };
}

async function buildOne(options: BuildOptions): Promise<OutputFile> {
  const [output] = (await build({ ...COMMON, ...options, write: false })).outputFiles;
  return output!;
}

/**
 * Builds both bundles in memory: `chat.<content hash>.js` (cacheable forever), then `loader.js`
 * (short-lived) with that file name compiled in. Both are classic scripts.
 */
export async function buildLoaderBundles(): Promise<LoaderBundles> {
  const chatOutput = await buildOne({
    entryPoints: [join(SOURCE, 'chat.ts')],
    format: 'iife',
    entryNames: '[name].[hash]',
  });
  const chat = toFile(basename(chatOutput.path), chatOutput.contents);
  const loaderOutput = await buildOne({
    entryPoints: [join(SOURCE, 'loader.ts')],
    format: 'iife',
    define: { __PERCH_CHAT_FILE__: JSON.stringify(chat.name) },
  });
  return { loader: toFile('loader.js', loaderOutput.contents), chat };
}

/** One line per bundle: raw and gzip bytes against the budget. */
export function formatBundleSizes({ loader, chat }: LoaderBundles): string {
  const bytes = (buffer: Buffer) => String(buffer.length).padStart(6);
  const line = (file: BundleFile, budget: number) =>
    `  ${file.name.padEnd(22)} ${bytes(file.contents)} B raw  ${bytes(file.gzip)} B gzip  (budget ${budget} B gzip)`;
  return `${line(loader, LOADER_GZIP_BUDGET)}\n${line(chat, CHAT_GZIP_BUDGET)}`;
}

/** `npm run build:loader`: writes the bundles to `dist/loader/` (what a deployment uploads). */
async function main(): Promise<void> {
  const bundles = await buildLoaderBundles();
  const outDir = resolve(__dirname, '../dist/loader');
  mkdirSync(outDir, { recursive: true });
  for (const file of [bundles.loader, bundles.chat]) writeFileSync(join(outDir, file.name), file.contents);
  console.log(`Built ${outDir}\n${formatBundleSizes(bundles)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
