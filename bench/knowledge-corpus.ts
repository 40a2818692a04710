import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A deterministic documentation site for the knowledge bench: Markdown files with front matter
 * titles (or a top heading), nested headings, paragraphs drawn from a Zipf-distributed vocabulary
 * (a few hundred real technical words, then a long tail of made-up ones, as product names and
 * identifiers are), bullet lists, links, inline code in camelCase and fenced code blocks.
 * The same seed always writes the same bytes.
 */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = (
  'request response server client config configuration option setting key token session user account ' +
  'widget origin domain limit quota rate error message event stream socket connection timeout retry ' +
  'cache storage bucket table record index query search result page header body cookie secret ' +
  'deploy deployment build bundle release version upgrade install package module function handler ' +
  'route path file folder directory template theme color style layout panel button input form field ' +
  'value default type string number boolean array object list map schema validation check test ' +
  'log metric trace alarm dashboard report usage cost billing invoice plan tier region zone network ' +
  'proxy gateway endpoint api webhook callback queue worker job task schedule cron batch import export ' +
  'backup restore snapshot digest hash signature certificate encryption permission role policy access ' +
  'identity login logout password reset email notification alert threshold budget model provider prompt ' +
  'answer question conversation transcript history feedback rating source document passage heading title ' +
  'markdown html text link image asset upload download preview draft publish review approve reject ' +
  'environment variable stack resource state plan apply destroy rollback migrate migration database ' +
  'replica shard partition latency throughput memory cpu disk instance container image registry cluster'
).split(' ');
const FUNCTION_WORDS = (
  'the a an to of and in is for with on that by this you can it be as or when if your are will not ' +
  'from at each all which only then before after into more than also its should must may'
).split(' ');
const SYLLABLES = 'ka lo mi nu re ta ve zo fi ga hu ji pe ro sa tu wi xe yo ba de'.split(' ');

export interface Vocabulary {
  /** A word by Zipf rank: rank 1 is the most frequent. */
  word(): string;
  /** A word from the long tail (rare, so discriminating). */
  rareWord(): string;
}

export function createVocabulary(random: () => number, size = 6000): Vocabulary {
  const words = [...COMMON];
  const seen = new Set(words);
  while (words.length < size) {
    const length = 2 + Math.floor(random() * 3);
    const made = Array.from({ length }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join('');
    if (!seen.has(made)) {
      seen.add(made);
      words.push(made);
    }
  }
  // Cumulative Zipf–Mandelbrot weights 1/(rank + 5), searched by bisection: the most frequent word
  // is about 2.5% of content words, as `request` is in undici's docs (function words drawn apart).
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= words.length; rank += 1) cumulative.push((total += 1 / (rank + 5)));
  const pick = (from: number) => {
    const below = from === 0 ? 0 : cumulative[from - 1]!;
    const x = below + random() * (total - below);
    let low = from;
    let high = words.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < x) low = middle + 1;
      else high = middle;
    }
    return words[low]!;
  };
  return { word: () => pick(0), rareWord: () => pick(COMMON.length) };
}

export interface CorpusFile {
  path: string;
  text: string;
}

interface Writer {
  random: () => number;
  vocabulary: Vocabulary;
}

const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const camel = (words: string[]) => words.map((w, i) => (i === 0 ? w : capitalise(w))).join('');

const identifier = (w: Writer) => camel([w.vocabulary.word(), w.vocabulary.word()]);

function words(w: Writer, count: number): string[] {
  return Array.from({ length: count }, () =>
    w.random() < 0.38 ? FUNCTION_WORDS[Math.floor(w.random() * FUNCTION_WORDS.length)]! : w.vocabulary.word(),
  );
}

function sentence(w: Writer): string {
  const parts = words(w, between(w.random, 7, 22));
  const roll = w.random();
  if (roll < 0.12) parts.splice(between(w.random, 1, parts.length - 1), 0, `\`${identifier(w)}\``);
  else if (roll < 0.18) {
    const target = `${w.vocabulary.word()}/${w.vocabulary.word()}.md`;
    parts.splice(
      between(w.random, 1, parts.length - 1),
      0,
      `[${w.vocabulary.word()} ${w.vocabulary.word()}](${target})`,
    );
  }
  return `${capitalise(parts.join(' '))}${w.random() < 0.1 ? '?' : '.'}`;
}

const paragraph = (w: Writer) => Array.from({ length: between(w.random, 1, 5) }, () => sentence(w)).join(' ');

function headingText(w: Writer): string {
  const roll = w.random();
  if (roll < 0.15) return `\`${identifier(w)}\``;
  const count = between(w.random, 1, 4);
  const text = Array.from({ length: count }, () => (w.random() < 0.3 ? w.vocabulary.rareWord() : w.vocabulary.word()));
  return capitalise(text.join(' '));
}

function codeBlock(w: Writer): string {
  const language = ['ts', 'sh', 'yaml', 'json'][between(w.random, 0, 3)]!;
  const lines = Array.from({ length: between(w.random, 3, 14) }, () => {
    const name = identifier(w);
    if (language === 'sh') return `npx perch ${w.vocabulary.word()} --${w.vocabulary.word()}=${w.vocabulary.word()}`;
    if (language === 'yaml') return `${name}: ${w.vocabulary.word()}`;
    if (language === 'json') return `  "${name}": "${w.vocabulary.word()}",`;
    return `const ${name} = await ${camel([w.vocabulary.word(), 'client'])}.${w.vocabulary.word()}({ limit: 10 });`;
  });
  return `\`\`\`${language}\n${lines.join('\n')}\n\`\`\``;
}

const bulletList = (w: Writer) =>
  Array.from({ length: between(w.random, 2, 6) }, () => `- **${w.vocabulary.word()}**: ${sentence(w)}`).join('\n');

/** The blocks under one heading: paragraphs, sometimes a list or a code block. */
function sectionBody(w: Writer): string[] {
  const blocks = Array.from({ length: between(w.random, 1, 2) }, () => paragraph(w));
  if (w.random() < 0.18) blocks.splice(between(w.random, 0, blocks.length), 0, bulletList(w));
  if (w.random() < 0.3) blocks.splice(between(w.random, 1, blocks.length), 0, codeBlock(w));
  return blocks;
}

function document(w: Writer): string {
  const title = capitalise(Array.from({ length: between(w.random, 2, 5) }, () => w.vocabulary.word()).join(' '));
  const out: string[] = [];
  if (w.random() < 0.7) out.push(`---\ntitle: ${title}\nsidebar_position: ${between(w.random, 1, 20)}\n---`);
  else out.push(`# ${title}`);
  out.push(paragraph(w));
  for (let h2 = between(w.random, 2, 5); h2 > 0; h2 -= 1) {
    out.push(`## ${headingText(w)}`, ...sectionBody(w));
    for (let h3 = between(w.random, 0, 3); h3 > 0; h3 -= 1) {
      out.push(`### ${headingText(w)}`, ...sectionBody(w));
      if (w.random() < 0.15) out.push(`#### ${headingText(w)}`, ...sectionBody(w));
    }
  }
  return `${out.join('\n\n')}\n`;
}

export interface GenerateCorpusOptions {
  files?: number;
  seed?: number;
}

/** The corpus as files: `<folder>/<name>-<n>.md`, forty files a folder. */
export function generateCorpus({ files = 1000, seed = 20260101 }: GenerateCorpusOptions = {}): CorpusFile[] {
  const w: Writer = { random: seededRandom(seed), vocabulary: createVocabulary(seededRandom(seed + 1)) };
  const folders = Array.from({ length: Math.ceil(files / 40) }, (_, i) => `${w.vocabulary.word()}-${i}`);
  return Array.from({ length: files }, (_, i) => ({
    path: `${folders[Math.floor(i / 40)]}/${w.vocabulary.word()}-${i}.md`,
    text: document(w),
  }));
}

export function writeCorpus(dir: string, files: readonly CorpusFile[]): void {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.text);
  }
}

/**
 * Questions as a visitor types them: an opener and two to five content words of one passage (so
 * most have an answer); the corpus's function words are left out, as people rarely type them.
 */
export function generateQueries(passageTexts: readonly string[], count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const openers = ['How do I', 'What is the', 'Why does my', 'Can I change the', 'Where do I set', ''];
  return Array.from({ length: count }, () => {
    const text = passageTexts[Math.floor(random() * passageTexts.length)] ?? '';
    const candidates = (text.toLowerCase().match(/[a-z]{3,}/g) ?? []).filter((word) => !FUNCTION_WORDS.includes(word));
    if (candidates.length === 0) candidates.push('config');
    const picked = Array.from(
      { length: between(random, 2, 5) },
      () => candidates[Math.floor(random() * candidates.length)]!,
    );
    return `${openers[Math.floor(random() * openers.length)]} ${picked.join(' ')}?`.trim();
  });
}
