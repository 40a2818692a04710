import MiniSearch, { type AsPlainObject, type Options, type SearchOptions } from 'minisearch';
import type { Passage } from './passage';
import { tokenize, wordTerms } from './terms';

type IndexedPassage = Pick<Passage, 'title' | 'text'> & { id: number };

/** Title (the heading path) counts more than body text: BM25 over both fields. */
const SEARCH: SearchOptions = {
  boost: { title: 2.5 },
  prefix: (term) => term.length > 3,
  fuzzy: (term) => (term.length > 6 ? 0.15 : false),
  combineWith: 'OR',
};

/** Built and loaded with the same options, so index and queries make the same terms. */
const OPTIONS: Options<IndexedPassage> = {
  fields: ['title', 'text'],
  tokenize,
  processTerm: (term) => wordTerms(term),
  searchOptions: SEARCH,
};

export type SearchIndex = MiniSearch<IndexedPassage>;
export type SerializedIndex = AsPlainObject;

/** Indexes passages by their position in the list (the artifact stores the list beside it). */
export function buildSearchIndex(passages: readonly Passage[]): SearchIndex {
  const index = new MiniSearch<IndexedPassage>(OPTIONS);
  index.addAll(passages.map(({ title, text }, id) => ({ id, title, text })));
  return index;
}

export const loadSearchIndex = (serialized: SerializedIndex): SearchIndex => MiniSearch.loadJS(serialized, OPTIONS);

export interface Hit {
  /** Position in the artifact's passage list. */
  id: number;
  score: number;
}

/** The best-scoring passages for a question, best first (BM25 ties go to the earlier passage). */
export function searchPassages(index: SearchIndex, query: string, limit: number): Hit[] {
  return index
    .search(query)
    .slice(0, limit)
    .map(({ id, score }) => ({ id: id as number, score }));
}
