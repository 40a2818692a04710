import { attrs, el } from '../dom';
import { safeLinkUrl } from './markdown';

/** One document an answer came from (DESIGN.md § Knowledge), most relevant first. */
export interface Source {
  title: string;
  path: string;
  url?: string;
}

/** More would crowd a small panel; the server sends the most relevant first. */
export const MAX_SOURCES = 5;

/**
 * The well-formed sources of a reply or history item, at most {@link MAX_SOURCES}; `[]` for an
 * old server that sends none. They come from the network, so every field is checked.
 */
export function readSources(value: unknown): Source[] {
  const sources: Source[] = [];
  for (const item of Array.isArray(value) ? value : []) {
    const { title, path, url } = item ?? {};
    if (typeof title !== 'string' || typeof path !== 'string' || !(title || path)) continue;
    if (sources.push({ title, path, url: typeof url === 'string' ? url : undefined }) === MAX_SOURCES) break;
  }
  return sources;
}

const nameOf = (source: Source) => source.title || source.path;

/** What the live region adds to a finished answer: `"\n\nSources: A, B"` (`heading`: the list's), or nothing. */
export const sourcesAnnouncement = (heading: string, sources: Source[] = []): string =>
  sources.length ? `\n\n${heading}: ${sources.map(nameOf).join(', ')}` : '';

let lists = 0;

/**
 * The labelled list under an answer: a source with an http(s) `url` is a link opening in a new
 * tab, any other is its title as text, with the path as its tooltip. Built with `textContent`.
 */
export function sourcesList(heading: string, sources: Source[]): HTMLElement {
  const id = `k${++lists}`; // unique in the shadow root, for aria-labelledby
  const box = el('div', 'k');
  const list = attrs(el('ul'), { 'aria-labelledby': id });
  box.append(attrs(el('p', '', heading), { id }), list);
  for (const source of sources) {
    const item = list.appendChild(el('li'));
    const href = source.url && safeLinkUrl(source.url);
    const entry = href
      ? item.appendChild(attrs(el('a'), { href, target: '_blank', rel: 'noopener noreferrer' }))
      : item;
    entry.textContent = nameOf(source);
    if (source.path) entry.title = source.path;
  }
  return box;
}
