import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { artifactName, type LoadedKnowledge, loadArtifact } from '../functions/knowledge/artifact';
import { retrievePassages } from '../functions/knowledge/retrieve';
import { loadSearchIndex, searchPassages } from '../functions/knowledge/search-index';
import { bundleFunctions } from '../infra/build/bundle-functions';
import { loadConfigFile } from '../infra/config/load';
import type { KnowledgeBaseConfig } from '../infra/config/schema';
import { type BuiltArtifact, buildArtifact } from '../infra/knowledge/build-artifact';
import { type KnowledgeSnapshot, snapshotKnowledge } from '../infra/knowledge/snapshot';
import { durationRow, percentile } from './figures';
import { importMs } from './functions.bench';
import { generateCorpus, generateQueries, writeCorpus } from './knowledge-corpus';
import { retrievalQuality } from './knowledge-quality';

const ROOT = join(__dirname, '..');
/** Targets (DESIGN.md § Knowledge): an apply builds quickly, a cold function loads quickly. */
const BUILD_TARGET_MS = 5000;
const ARTIFACT_TARGET_BYTES = 10 * 1024 * 1024;
const QUERY_P95_TARGET_MS = 5;
const LOAD_TARGET_MS = 150;
const BUNDLE_TARGET_BYTES = 600 * 1024;
const BUILD_RUNS = Number(process.env.PERCH_BENCH_KNOWLEDGE_BUILDS ?? 3);
const LOAD_RUNS = Number(process.env.PERCH_BENCH_KNOWLEDGE_LOADS ?? 7);
const QUERIES = Number(process.env.PERCH_BENCH_KNOWLEDGE_QUERIES ?? 1000);

/**
 * Knowledge bases end to end, through the real functions:
 * 1. build time (snapshot + read, split, index, gzip) and artifact size for Perch's own docs (the
 *    shipped `perch-docs` base) and for a generated site of 1,000 Markdown files (~10,000 passages);
 * 2. retrieval latency on that artifact, in process; 3. its cold load (read + gunzip + JSON.parse +
 *    MiniSearch.loadJS), in this process and in fresh ones; 4. the messages bundle's size and import
 *    time; 5. retrieval quality on undici's docs against plain BM25 over whole files.
 */
export default async function knowledgeBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perch-bench-knowledge-'));
  try {
    const load = loadavg().map((n) => n.toFixed(1));
    console.log(
      `node ${process.version}, ${cpus().length} CPUs, load average ${load.join(' ')} (figures scale with it)`,
    );
    console.log('\nbuild (snapshot + buildArtifact; first run, median of the runs)');
    const config = await loadConfigFile(join(ROOT, 'widgets.config.ts'));
    const docs = config.knowledge?.['perch-docs'];
    if (docs) await measureBuild('perch-docs', docs, ROOT);
    const corpusDir = join(dir, 'corpus');
    writeCorpus(corpusDir, generateCorpus({ files: 1000 }));
    const corpus = await measureBuild('generated', { include: ['**/*.md'] }, corpusDir);
    const file = join(dir, artifactName(corpus.built.digest));
    writeFileSync(file, corpus.built.bytes);
    const knowledge = loadArtifact(corpus.built.bytes, corpus.built.digest);
    console.log(`\nretrieval on the generated artifact (${QUERIES} questions, in process)`);
    measureQueries(knowledge);
    console.log(`\ncold load of the generated artifact (${(corpus.built.bytes.length / 1e6).toFixed(2)} MB gzipped)`);
    measureLoad(file, corpus.built.digest);
    console.log('\nmessages bundle');
    await measureBundle(join(dir, 'bundles'));
    console.log('\nretrieval quality: the cited file');
    await retrievalQuality();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function measureBuild(name: string, base: KnowledgeBaseConfig, configDir: string) {
  const runs: { snapshotMs: number; buildMs: number; snapshot: KnowledgeSnapshot; built: BuiltArtifact }[] = [];
  for (let run = 0; run < BUILD_RUNS; run += 1) {
    const started = performance.now();
    const { snapshots, problems } = await snapshotKnowledge({ [name]: base }, configDir);
    const snapshot = snapshots[0];
    if (!snapshot) throw new Error(`knowledge.${name}: ${problems.join('; ')}`);
    const read = performance.now();
    const built = buildArtifact(snapshot);
    runs.push({ snapshotMs: read - started, buildMs: performance.now() - read, snapshot, built });
  }
  const { snapshot, built } = runs[0]!;
  const totals = runs.map((r) => r.snapshotMs + r.buildMs);
  const rawJson = gunzipSync(built.bytes).length;
  const flags = [
    totals[0]! > BUILD_TARGET_MS ? 'over build target' : '',
    built.bytes.length > ARTIFACT_TARGET_BYTES ? 'over size target' : '',
  ].filter(Boolean);
  console.log(
    `  ${name.padEnd(11)} ${snapshot.files.length} files (${mb(snapshot.bytes)}), ${built.passages} passages` +
      `${built.warnings.length ? `, ${built.warnings.length} warnings` : ''}`,
  );
  console.log(
    `  ${''.padEnd(11)} build ${seconds(totals[0]!)} (snapshot ${seconds(runs[0]!.snapshotMs)}` +
      ` + buildArtifact ${seconds(runs[0]!.buildMs)}), median ${seconds(percentile(totals, 50))}` +
      ` of ${runs.length}   target ≤ ${seconds(BUILD_TARGET_MS)}`,
  );
  console.log(
    `  ${''.padEnd(11)} artifact ${built.bytes.length} bytes gzipped = ${mb(built.bytes.length)}` +
      ` (JSON ${mb(rawJson)})   target ≤ ${mb(ARTIFACT_TARGET_BYTES)}   ${flags.join(', ') || 'ok'}`,
  );
  return runs[0]!;
}

function measureQueries(knowledge: LoadedKnowledge): void {
  const queries = generateQueries(
    knowledge.passages.map((p) => p.text),
    QUERIES,
  );
  for (const q of queries.slice(0, 100)) retrievePassages([knowledge], q); // JIT warm-up
  const timed = (fn: (q: string) => unknown) =>
    queries.map((q) => {
      const started = performance.now();
      fn(q);
      return performance.now() - started;
    });
  const cited: number[] = [];
  const retrieve = timed((q) => cited.push(retrievePassages([knowledge], q).length));
  const search = timed((q) => searchPassages(knowledge.index, q, 10));
  const p95 = percentile(retrieve, 95);
  console.log(
    durationRow(
      'retrievePassages',
      retrieve,
      `target p95 ≤ ${QUERY_P95_TARGET_MS} ms: ${p95 <= QUERY_P95_TARGET_MS ? 'ok' : 'over'}`,
    ),
  );
  console.log(durationRow('searchPassages (top 10)', search, 'the BM25 search alone'));
  console.log(
    `  e.g. ${JSON.stringify(queries[0])}; sources per answer: median ${percentile(cited, 50)},` +
      ` none for ${cited.filter((n) => n === 0).length} of ${queries.length}`,
  );
}

function measureLoad(file: string, digest: string): void {
  const inProcess = Array.from({ length: LOAD_RUNS }, () => {
    const started = performance.now();
    loadArtifact(readFileSync(file), digest);
    return performance.now() - started;
  });
  console.log(durationRow('loadArtifact, this process', inProcess, `target ≤ ${LOAD_TARGET_MS} ms, median`));
  // A cold function: a fresh Node process whose JIT has seen nothing (the module import not timed),
  // and the heap the loaded artifact keeps (after a full GC), which the function's memory must hold.
  const script =
    `const {readFileSync}=require('node:fs');const {loadArtifact}=require(${JSON.stringify(
      join(ROOT, 'functions/knowledge/artifact.ts'),
    )});gc();const h=process.memoryUsage().heapUsed;` +
    `const t=performance.now();globalThis.k=loadArtifact(readFileSync(${JSON.stringify(file)}),` +
    `${JSON.stringify(digest)});const ms=performance.now()-t;gc();` +
    'process.stdout.write(JSON.stringify([ms,process.memoryUsage().heapUsed-h]));';
  const fresh = Array.from(
    { length: LOAD_RUNS },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '-e', script], { encoding: 'utf8' }),
      ) as [number, number],
  );
  const times = fresh.map(([ms]) => ms);
  const heap = percentile(
    fresh.map(([, bytes]) => bytes),
    50,
  );
  const within = percentile(times, 50) <= LOAD_TARGET_MS ? 'within' : 'over';
  console.log(durationRow('loadArtifact, fresh node', times, `median ${within} target; heap kept ${mb(heap)}`));
  // Where the time goes (this process, warm): each step alone.
  const bytes = readFileSync(file);
  const step = (fn: () => unknown) =>
    percentile(
      Array.from({ length: LOAD_RUNS }, () => {
        const started = performance.now();
        fn();
        return performance.now() - started;
      }),
      50,
    );
  const json = gunzipSync(bytes).toString('utf8');
  const parsed = JSON.parse(json) as { index: Parameters<typeof loadSearchIndex>[0] };
  console.log(
    `  steps (median): gunzip ${step(() => gunzipSync(bytes)).toFixed(1)} ms,` +
      ` JSON.parse ${step(() => JSON.parse(json)).toFixed(1)} ms,` +
      ` MiniSearch.loadJS ${step(() => loadSearchIndex(parsed.index)).toFixed(1)} ms`,
  );
}

async function measureBundle(outDir: string): Promise<void> {
  const [bundle] = await bundleFunctions({ names: ['messages'], outDir });
  const gzip = gzipSync(readFileSync(bundle!.file)).length;
  const imports = Array.from({ length: LOAD_RUNS }, () => importMs(bundle!.file));
  console.log(
    `  messages   ${(bundle!.bytes / 1024).toFixed(1)} KB minified, ${(gzip / 1024).toFixed(1)} KB gzip` +
      `   target ≤ ${BUNDLE_TARGET_BYTES / 1024} KB: ${bundle!.bytes <= BUNDLE_TARGET_BYTES ? 'ok' : 'over'}`,
  );
  console.log(durationRow('import (fresh node)', imports, '--enable-source-maps, as deployed'));
}
