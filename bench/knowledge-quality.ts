import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { loadArtifact } from '../functions/knowledge/artifact';
import type { Passage } from '../functions/knowledge/passage';
import { retrievePassages } from '../functions/knowledge/retrieve';
import { searchPassages } from '../functions/knowledge/search-index';
import { tokenize, wordTerms } from '../functions/knowledge/terms';
import { buildArtifact } from '../infra/knowledge/build-artifact';
import { snapshotKnowledge } from '../infra/knowledge/snapshot';
import { durationRow } from './figures';
import { type KnowledgeQuestion, UNDICI_QUESTIONS } from './knowledge-questions';

const DOCS = join(__dirname, '../node_modules/undici/docs/docs');

/** One way of answering: the cited sources (path and title), best first. */
type Retriever = (question: string) => { path: string; title?: string }[];

const hits = (question: KnowledgeQuestion, paths: readonly string[]) =>
  paths.some((p) => p === question.file || question.accept?.includes(p));

/**
 * Retrieval quality on documentation we did not write (undici's, as its npm package ships it):
 * hit@1 and hit@3 of the cited file for Perch's pipeline (snapshot → buildArtifact → loadArtifact
 * → retrievePassages, and the raw searchPassages ranking) against plain BM25 over whole files.
 */
export async function retrievalQuality(): Promise<void> {
  if (!existsSync(DOCS)) {
    console.log(`  ${DOCS} is missing (undici not installed?): quality not measured`);
    return;
  }
  // node_modules is never knowledge (snapshot excludes it), so the docs are copied out first.
  const dir = mkdtempSync(join(tmpdir(), 'perch-bench-undici-'));
  try {
    cpSync(DOCS, dir, { recursive: true, filter: (source) => !/\.[^/]+$/.test(source) || source.endsWith('.md') });
    const { snapshots, problems } = await snapshotKnowledge({ undici: { include: ['**/*.md'] } }, dir);
    const snapshot = snapshots[0];
    if (!snapshot) throw new Error(`undici docs: ${problems.join('; ')}`);
    const built = buildArtifact(snapshot);
    const knowledge = loadArtifact(built.bytes, built.digest);
    const passageHit = (p: Passage) => ({ path: p.path, title: p.title });
    const wholeFiles = (options: ConstructorParameters<typeof MiniSearch>[0]): Retriever => {
      const index = new MiniSearch(options);
      index.addAll(snapshot.files.map((file, id) => ({ id, text: file.text })));
      return (question) => index.search(question).map((hit) => ({ path: snapshot.files[hit.id as number]!.path }));
    };
    const retrievers: [string, Retriever][] = [
      ['Perch: retrievePassages (cited)', (q) => retrievePassages([knowledge], q).map(passageHit)],
      [
        'Perch: searchPassages ranking',
        (q) => searchPassages(knowledge.index, q, 10).map((hit) => passageHit(knowledge.passages[hit.id]!)),
      ],
      ['BM25 whole files (defaults)', wholeFiles({ fields: ['text'] })],
      [
        'BM25 whole files, Perch terms',
        wholeFiles({
          fields: ['text'],
          tokenize,
          processTerm: (term) => wordTerms(term),
          searchOptions: { prefix: (t) => t.length > 3, fuzzy: (t) => (t.length > 6 ? 0.15 : false) },
        }),
      ],
    ];
    const questions = UNDICI_QUESTIONS;
    const withHeading = questions.filter((q) => q.heading !== undefined);
    console.log(
      `  undici ${version()} docs: ${snapshot.files.length} files,` +
        ` ${built.passages} passages; ${questions.length} questions` +
        ` (${questions.filter((q) => q.accept).length} accept a second file that says the same),` +
        ` ${withHeading.length} with an expected heading`,
    );
    for (const q of withHeading) {
      const found = knowledge.passages.some((p) => p.path === q.file && p.title.endsWith(q.heading!));
      if (!found) console.log(`  ! no passage of ${q.file} is titled …${q.heading}`);
    }
    console.log(
      `  ${'retriever'.padEnd(32)} ${'hit@1'.padStart(11)} ${'hit@3'.padStart(11)}` +
        ` ${'heading@1'.padStart(11)}   target: beat the whole-file baseline`,
    );
    const misses: string[] = [];
    const sectionMisses: string[] = [];
    const latency: number[] = [];
    for (const [label, retrieve] of retrievers) {
      let at1 = 0;
      let at3 = 0;
      let headingAt1 = 0;
      for (const q of questions) {
        const started = performance.now();
        const cited = retrieve(q.question);
        if (label.includes('cited')) latency.push(performance.now() - started);
        const top = cited[0];
        if (
          hits(
            q,
            cited.slice(0, 1).map((c) => c.path),
          )
        )
          at1 += 1;
        else if (label.includes('cited')) misses.push(describeMiss(q, cited));
        if (
          hits(
            q,
            cited.slice(0, 3).map((c) => c.path),
          )
        )
          at3 += 1;
        if (q.heading && top?.path === q.file && top.title?.endsWith(q.heading)) headingAt1 += 1;
        else if (q.heading && top?.path === q.file && label.includes('cited')) {
          sectionMisses.push(`    ~ ${q.question}\n      want …${q.heading}, got «${top.title}»`);
        }
      }
      const share = (n: number, of: number) => `${n}/${of} ${`${Math.round((100 * n) / of)}%`.padStart(4)}`;
      const heading = label.startsWith('Perch') ? share(headingAt1, withHeading.length) : '—';
      console.log(
        `  ${label.padEnd(32)} ${share(at1, questions.length).padStart(11)}` +
          ` ${share(at3, questions.length).padStart(11)} ${heading.padStart(11)}`,
      );
    }
    console.log(durationRow('retrievePassages here', latency, `${questions.length} questions, first calls included`));
    console.log(`  misses at hit@1 (retrievePassages): ${misses.length}`);
    for (const miss of misses) console.log(miss);
    console.log(`  right file, other section (retrievePassages): ${sectionMisses.length}`);
    for (const miss of sectionMisses) console.log(miss);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describeMiss(q: KnowledgeQuestion, cited: { path: string; title?: string }[]): string {
  const got = cited[0] ? `${cited[0].path} «${cited[0].title}»` : 'nothing';
  const rank = cited.findIndex((c) => c.path === q.file);
  return `    - ${q.question}\n      want ${q.file}${rank > 0 ? ` (cited #${rank + 1})` : ''}, got ${got}`;
}

const version = () =>
  (JSON.parse(readFileSync(join(DOCS, '../../package.json'), 'utf8')) as { version: string }).version;
