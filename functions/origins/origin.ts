/**
 * Origin rules of DESIGN.md: entries are exact origins or `scheme://*.domain[:port]`
 * wildcards; matching is exact after normalisation (lower case, IDN → punycode, default
 * port dropped). Everything here is pure so the config check and the handlers share it.
 */

/** An allowed-origin entry after parsing: exact, or any subdomain of `domain`. */
export type OriginRule =
  | { kind: 'exact'; origin: string }
  | { kind: 'wildcard'; scheme: 'http:' | 'https:'; domain: string; port: string };

export type OriginParseResult = { ok: true; origin: string } | { ok: false; problem: string };

// scheme "://" authority, nothing after: an Origin header never carries a path, query or fragment.
const ORIGIN_SHAPE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#\s]+)$/;
// The URL parser silently rewrites these (`\` is a path separator, `%xx` is decoded, C0 controls
// are stripped), so `https://example.com\evil.net` would otherwise read as `https://example.com`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const NEVER_IN_ORIGIN = /[\\%\x00-\x1f\x7f]/;
const WILDCARD_LABEL = 'perch-wildcard-label';
/**
 * Longer than any real origin (`https://` + a 253-character DNS name + `:65535` is 267); a session
 * token carries its origin, so an origin past this could mint a session no token can name.
 */
export const MAX_ORIGIN_LENGTH = 300;

/**
 * Normalises a serialised origin (`https://Example.COM:443` → `https://example.com`), or says
 * why it is not one. Userinfo, paths, trailing dots and non-http(s) schemes are refused.
 */
export function parseOrigin(value: string): OriginParseResult {
  if (value.trim() !== value || value === '') return { ok: false, problem: 'is empty or has surrounding spaces' };
  if (value.length > MAX_ORIGIN_LENGTH) return { ok: false, problem: `is longer than ${MAX_ORIGIN_LENGTH} characters` };
  if (NEVER_IN_ORIGIN.test(value))
    return { ok: false, problem: 'contains a character an origin never has (\\, % or a control character)' };
  if (!value.includes('://'))
    return { ok: false, problem: `needs a scheme, e.g. https://${value.replace(/\/+$/, '')}` };
  const shape = ORIGIN_SHAPE.exec(value);
  if (!shape) {
    return {
      ok: false,
      problem: 'must be an origin only (scheme://host[:port]), without path, query or trailing slash',
    };
  }
  const scheme = shape[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, problem: 'must use http or https' };
  if (shape[2]!.includes('@')) return { ok: false, problem: 'must not contain user info (user@)' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, problem: 'is not a valid origin' };
  }
  if (!url.hostname.startsWith('[') && url.hostname.split('.').includes('')) {
    return { ok: false, problem: 'must not have an empty host, an empty label (..) or a trailing dot' };
  }
  if (url.hostname.includes('*'))
    return { ok: false, problem: 'may only use * as the whole first label, e.g. https://*.example.com' };
  return { ok: true, origin: `${url.protocol}//${url.host}` };
}

/** Parses one `allowedOrigins` entry, exact or wildcard. */
export function parseOriginRule(entry: string): { ok: true; rule: OriginRule } | { ok: false; problem: string } {
  const wildcard = /^([a-zA-Z]+:\/\/)\*\.(.*)$/.exec(entry);
  if (!wildcard) {
    if (entry.includes('*')) {
      return { ok: false, problem: 'may only use * as the whole first label, e.g. https://*.example.com' };
    }
    const parsed = parseOrigin(entry);
    return parsed.ok ? { ok: true, rule: { kind: 'exact', origin: parsed.origin } } : parsed;
  }
  const parsed = parseOrigin(`${wildcard[1]}${WILDCARD_LABEL}.${wildcard[2]}`);
  if (!parsed.ok) return { ok: false, problem: parsed.problem.replace(`${WILDCARD_LABEL}.`, '*.') };
  const url = new URL(parsed.origin);
  const domain = url.hostname.slice(WILDCARD_LABEL.length + 1);
  if (!domain.includes('.')) {
    return { ok: false, problem: `is too broad: *.${domain} admits a whole top-level domain` };
  }
  if (/^[\d.]+$/.test(domain) || domain.startsWith('[')) {
    return { ok: false, problem: 'cannot use a wildcard with an IP address' };
  }
  return { ok: true, rule: { kind: 'wildcard', scheme: url.protocol as 'http:' | 'https:', domain, port: url.port } };
}

/** The canonical text of a rule, used to spot duplicates and to store normalised config. */
export function formatOriginRule(rule: OriginRule): string {
  if (rule.kind === 'exact') return rule.origin;
  return `${rule.scheme}//*.${rule.domain}${rule.port ? `:${rule.port}` : ''}`;
}

/**
 * Decides whether a request's `Origin` header is admitted by a widget's allowed origins.
 * An empty list admits any well-formed origin (development); a missing, `null`, non-ASCII or
 * malformed Origin is always refused. Returns the origin to echo in `Access-Control-Allow-Origin`, or null.
 */
export function matchOrigin(header: string | undefined, allowedOrigins: readonly string[]): string | null {
  // Browsers serialise origins in ASCII (punycode hosts); anything else cannot be echoed safely
  // in a response header, so it is refused rather than normalised.
  if (header === undefined || !/^[\x21-\x7e]+$/.test(header)) return null;
  const parsed = parseOrigin(header);
  if (!parsed.ok) return null;
  if (allowedOrigins.length === 0) return header;
  const url = new URL(parsed.origin);
  for (const entry of allowedOrigins) {
    const rule = parseOriginRule(entry);
    if (!rule.ok) continue;
    if (rule.rule.kind === 'exact' ? rule.rule.origin === parsed.origin : matchesWildcard(url, rule.rule)) {
      return header;
    }
  }
  return null;
}

function matchesWildcard(url: URL, rule: Extract<OriginRule, { kind: 'wildcard' }>): boolean {
  return (
    url.protocol === rule.scheme &&
    url.port === rule.port &&
    url.hostname.length > rule.domain.length + 1 &&
    url.hostname.endsWith(`.${rule.domain}`)
  );
}

/**
 * The origin a refusal may be shown to when no widget is known yet (an unknown key, a forged
 * token): any origin a widget with an empty list would admit. The refusal reveals nothing.
 */
export function readableOrigin(header: string | undefined): string | undefined {
  return matchOrigin(header, []) ?? undefined;
}
