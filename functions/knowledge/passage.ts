/** Where an answer came from, as the wire and the transcript carry it. */
export interface KnowledgeSource {
  /** The heading path of the passage, e.g. `README › Limits and quota`. */
  title: string;
  /** The file, relative to the config file's folder (POSIX separators). */
  path: string;
  /** The published page, from the base's `url` template. */
  url?: string;
}

/** One searchable piece of a document: a section (or part of one) under its heading path. */
export interface Passage extends KnowledgeSource {
  text: string;
}

/** A widget record's reference to one built knowledge base. */
export interface KnowledgeRef {
  base: string;
  /** The content digest that names the base's artifact. */
  digest: string;
}

/** The wire form of a passage: its source without the text. */
export const sourceOf = ({ title, path, url }: Passage): KnowledgeSource =>
  url === undefined ? { title, path } : { title, path, url };
