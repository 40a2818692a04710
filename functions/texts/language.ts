import { CATALOGUES, type Catalogue, ENGLISH } from './catalogues';

export type Locale = keyof typeof CATALOGUES;
/** The languages Perch ships, `en` (the default) first. */
export const LOCALES = Object.keys(CATALOGUES) as Locale[];
/** A widget's `locale`: one language, or `auto` (the visitor's browser language when Perch has it). */
export type LocaleSetting = Locale | 'auto';
export const LOCALE_SETTINGS: LocaleSetting[] = [...LOCALES, 'auto'];

/**
 * The strings the panel shows, by name (`GET /v1/widgets/{key}` sends them as `texts`). The
 * greeting and placeholder are not among them: they have widget fields of their own, and the
 * catalogue only gives their defaults.
 */
export type TextKey = Exclude<keyof Catalogue, 'greeting' | 'placeholder'>;
export type Texts = Record<TextKey, string>;
export const TEXT_KEYS = Object.keys(ENGLISH).filter((k) => k !== 'greeting' && k !== 'placeholder') as TextKey[];

/** What a widget's record says about its language (absent in records written before languages). */
export interface WidgetLanguage {
  locale?: LocaleSetting;
  /** The config's overrides, in whatever language the visitor reads. */
  texts?: Partial<Texts>;
}

/** The language one visitor reads a widget in, with every string resolved. */
export interface VisitorLanguage {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  texts: Texts;
  /** The catalogue's defaults for the widget's own `greeting` and `placeholder`. */
  greeting: string;
  placeholder: string;
}

const isLocale = (value: string): value is Locale => (LOCALES as string[]).includes(value);

/** More than any browser sends; a longer header is read only this far. */
const MAX_ACCEPT_LANGUAGE = 512;

/**
 * The first shipped language of an `Accept-Language` header, by quality then order
 * (`de-CH;q=0.9, fr;q=0.8` → `de`); none for a missing, garbled or unmatched header.
 */
export function matchLocale(acceptLanguage: string | undefined): Locale | undefined {
  const ranges = (acceptLanguage ?? '')
    .slice(0, MAX_ACCEPT_LANGUAGE)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => /^\s*q\s*=/i.test(p));
      // A quality that is no quality makes the range unacceptable rather than the most wanted.
      const quality = q === undefined ? 1 : Number(/^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(q)?.[1] ?? 0);
      const primary = /^([a-z]{1,8})(?:-[a-z0-9]{1,8})*$/i.exec(tag.trim())?.[1]?.toLowerCase() ?? '';
      return { primary, quality: Math.min(quality, 1), index };
    })
    .filter((range) => range.quality > 0 && isLocale(range.primary))
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranges[0]?.primary as Locale | undefined;
}

/**
 * The language `widget` speaks to a visitor whose browser sent `acceptLanguage`: its `locale`
 * (`auto`: the header's match, else English), its catalogue, and its `texts` overrides on top.
 * Without a widget (an unknown key), the header's match, else English.
 */
export function visitorLanguage(widget: WidgetLanguage | undefined, acceptLanguage?: string): VisitorLanguage {
  const setting = widget ? (widget.locale ?? 'en') : 'auto';
  const locale = setting === 'auto' ? (matchLocale(acceptLanguage) ?? 'en') : setting;
  const catalogue = CATALOGUES[locale];
  const overrides = widget?.texts ?? {};
  const texts = {} as Texts;
  for (const key of TEXT_KEYS) texts[key] = Object.hasOwn(overrides, key) ? overrides[key]! : catalogue[key];
  return {
    locale,
    dir: locale === 'ar' ? 'rtl' : 'ltr',
    texts,
    greeting: catalogue.greeting,
    placeholder: catalogue.placeholder,
  };
}

/** Whether answers about `widget` (none: an unknown key) differ by the visitor's `Accept-Language`. */
export const variesByLanguage = (widget: WidgetLanguage | undefined): boolean => !widget || widget.locale === 'auto';
