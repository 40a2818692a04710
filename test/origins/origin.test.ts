import fc from 'fast-check';
import { formatOriginRule, matchOrigin, parseOrigin, parseOriginRule } from '../../functions/origins/origin';

const EXACT = ['https://example.com'];
const WILDCARD = ['https://*.example.com'];
const LOCAL = ['http://localhost:3000'];

/** [case, Origin header (undefined = none sent), allowedOrigins, admitted?] */
const matchCases: [string, string | undefined, string[], boolean][] = [
  // friendly
  ['the exact origin', 'https://example.com', EXACT, true],
  ['the exact origin with the default port spelled out', 'https://example.com:443', EXACT, true],
  ['an upper-case scheme and host', 'HTTPS://EXAMPLE.COM', EXACT, true],
  ['a localhost origin with its port', 'http://localhost:3000', LOCAL, true],
  [
    'an IDN origin in punycode (what browsers send) against a Unicode entry',
    'https://xn--bcher-kva.example',
    ['https://bücher.example'],
    true,
  ],
  [
    'an IDN origin in Unicode (no browser sends one; it could not be echoed) against its punycode entry',
    'https://bücher.example',
    ['https://xn--bcher-kva.example'],
    false,
  ],
  ['a one-level subdomain under a wildcard', 'https://a.example.com', WILDCARD, true],
  ['a two-level subdomain under a wildcard', 'https://a.b.example.com', WILDCARD, true],
  ['a subdomain under a wildcard with its port', 'https://a.example.com:8443', ['https://*.example.com:8443'], true],
  ['the second entry of a list', 'http://localhost:3000', [...EXACT, ...LOCAL], true],
  ['an IPv6 loopback origin', 'http://[::1]:8080', ['http://[::1]:8080'], true],
  ['an entry with the default port against an origin without it', 'http://localhost', ['http://localhost:80'], true],
  ['any well-formed origin when the list is empty', 'https://anything.example.org', [], true],
  // hostile
  ['a suffix attack on an exact entry', 'https://example.com.evil.net', EXACT, false],
  ['a look-alike domain', 'https://evil-example.com', EXACT, false],
  ['a prefix look-alike', 'https://notexample.com', EXACT, false],
  ['a subdomain of an exact entry', 'https://www.example.com', EXACT, false],
  ['the same host over http', 'http://example.com', EXACT, false],
  ['the same host on another port', 'https://example.com:8443', EXACT, false],
  ['https on port 80 (not a default port there)', 'https://example.com:80', ['http://example.com'], false],
  ['the literal null origin', 'null', EXACT, false],
  ['a missing Origin header', undefined, EXACT, false],
  ['the literal null origin against an empty list', 'null', [], false],
  ['a missing Origin header against an empty list', undefined, [], false],
  ['an empty Origin header', '', EXACT, false],
  ['an origin with a trailing dot', 'https://example.com.', EXACT, false],
  ['an origin with userinfo hiding another host', 'https://example.com@evil.net', EXACT, false],
  ['an origin with userinfo before the real host', 'https://evil.net@example.com', EXACT, false],
  ['an origin with a trailing slash', 'https://example.com/', EXACT, false],
  ['an origin with a path', 'https://example.com/path', EXACT, false],
  ['an origin with a query', 'https://example.com?x=1', EXACT, false],
  ['an origin with a fragment', 'https://example.com#x', EXACT, false],
  ['a backslash the URL parser reads as a path', 'https://example.com\\evil.net', EXACT, false],
  ['a percent-encoded dot', 'https://example.com%2eevil.net', ['https://example.com.evil.net'], false],
  ['CRLF header injection', 'https://example.com\r\nSet-Cookie: a=b', EXACT, false],
  ['a trailing CRLF', 'https://example.com\r\n', EXACT, false],
  ['a trailing C0 control character', 'https://example.com\u0001', EXACT, false],
  ['a leading space', ' https://example.com', EXACT, false],
  ['a space inside the host', 'https://exa mple.com', EXACT, false],
  ['two origins in one header', 'https://example.com https://evil.net', EXACT, false],
  ['a comma-separated list', 'https://example.com,https://evil.net', EXACT, false],
  ['a scheme-relative origin', '//example.com', EXACT, false],
  ['a bare host', 'example.com', EXACT, false],
  ['a non-http scheme', 'ftp://example.com', ['ftp://example.com'], false],
  ['a file origin', 'file://', [], false],
  ['a javascript: pseudo-origin', 'javascript://example.com', [], false],
  ['the bare domain under a wildcard', 'https://example.com', WILDCARD, false],
  ['a subdomain over http under an https wildcard', 'http://a.example.com', WILDCARD, false],
  ['a subdomain on another port under a wildcard', 'https://a.example.com:8443', WILDCARD, false],
  ['a suffix attack on a wildcard', 'https://a.example.com.evil.net', WILDCARD, false],
  ['a look-alike under a wildcard', 'https://aexample.com', WILDCARD, false],
  ['an empty label under a wildcard', 'https://..example.com', WILDCARD, false],
  ['a leading dot under a wildcard', 'https://.example.com', WILDCARD, false],
  ['a literal * host', 'https://*.example.com', WILDCARD, false],
  ['a wildcard-shaped header against an empty list', 'https://*.example.com', [], false],
  ['an IDN look-alike (Cyrillic а) of an ASCII entry', 'https://exаmple.com', EXACT, false],
  ['a port out of range', 'https://example.com:65536', EXACT, false],
];

describe('matchOrigin', () => {
  test.each(matchCases)('%s', (_name, header, allowed, admitted) => {
    expect(matchOrigin(header, allowed)).toBe(admitted ? header : null);
  });

  test('the table holds at least 40 cases, friendly and hostile', () => {
    expect(matchCases.length).toBeGreaterThanOrEqual(40);
    expect(matchCases.filter(([, , , ok]) => ok).length).toBeGreaterThan(10);
  });
});

/** [input, normalised origin or the problem] */
const parseCases: [string, { origin: string } | { problem: string }][] = [
  ['https://Example.COM:443', { origin: 'https://example.com' }],
  ['http://example.com:80', { origin: 'http://example.com' }],
  ['http://example.com:8080', { origin: 'http://example.com:8080' }],
  ['https://bücher.example', { origin: 'https://xn--bcher-kva.example' }],
  ['example.com', { problem: 'needs a scheme, e.g. https://example.com' }],
  ['example.com/', { problem: 'needs a scheme, e.g. https://example.com' }],
  [
    'https://example.com/',
    { problem: 'must be an origin only (scheme://host[:port]), without path, query or trailing slash' },
  ],
  ['ws://example.com', { problem: 'must use http or https' }],
  ['https://user:pw@example.com', { problem: 'must not contain user info (user@)' }],
  ['https://example.com.', { problem: 'must not have an empty host, an empty label (..) or a trailing dot' }],
  ['https://a..example.com', { problem: 'must not have an empty host, an empty label (..) or a trailing dot' }],
  ['https://exa%6dple.com', { problem: 'contains a character an origin never has (\\, % or a control character)' }],
  ['https://example.com\\', { problem: 'contains a character an origin never has (\\, % or a control character)' }],
  [' https://example.com', { problem: 'is empty or has surrounding spaces' }],
  ['', { problem: 'is empty or has surrounding spaces' }],
  ['https://example.com:99999', { problem: 'is not a valid origin' }],
  ['https://*.example.com', { problem: 'may only use * as the whole first label, e.g. https://*.example.com' }],
];

describe('parseOrigin', () => {
  test.each(parseCases)('%j', (input, expected) => {
    expect(parseOrigin(input)).toEqual({ ok: 'origin' in expected, ...expected });
  });
});

/** [entry, canonical rule text or the problem] */
const ruleCases: [string, { canonical: string } | { problem: string }][] = [
  ['https://*.example.com', { canonical: 'https://*.example.com' }],
  ['HTTPS://*.Example.COM:443', { canonical: 'https://*.example.com' }],
  ['https://*.example.com:8443', { canonical: 'https://*.example.com:8443' }],
  ['https://*.bücher.example', { canonical: 'https://*.xn--bcher-kva.example' }],
  ['https://Example.com', { canonical: 'https://example.com' }],
  ['https://foo.*.com', { problem: 'may only use * as the whole first label, e.g. https://*.example.com' }],
  ['https://*example.com', { problem: 'may only use * as the whole first label, e.g. https://*.example.com' }],
  ['https://*.*.example.com', { problem: 'may only use * as the whole first label, e.g. https://*.example.com' }],
  ['*.example.com', { problem: 'may only use * as the whole first label, e.g. https://*.example.com' }],
  ['https://*', { problem: 'may only use * as the whole first label, e.g. https://*.example.com' }],
  ['https://*.com', { problem: 'is too broad: *.com admits a whole top-level domain' }],
  ['https://*.localhost', { problem: 'is too broad: *.localhost admits a whole top-level domain' }],
  ['https://*..com', { problem: 'must not have an empty host, an empty label (..) or a trailing dot' }],
  ['https://*.example.com.', { problem: 'must not have an empty host, an empty label (..) or a trailing dot' }],
  [
    'https://*.example.com/',
    { problem: 'must be an origin only (scheme://host[:port]), without path, query or trailing slash' },
  ],
  ['https://*.example.com\\x', { problem: 'contains a character an origin never has (\\, % or a control character)' }],
  ['ftp://*.example.com', { problem: 'must use http or https' }],
  ['https://*.10.0.0', { problem: 'is not a valid origin' }],
];

describe('parseOriginRule', () => {
  test.each(ruleCases)('%j', (entry, expected) => {
    const parsed = parseOriginRule(entry);
    if ('canonical' in expected) {
      expect(parsed.ok && formatOriginRule(parsed.rule)).toBe(expected.canonical);
    } else {
      expect(parsed).toEqual({ ok: false, problem: expected.problem });
    }
  });
});

describe('matchOrigin properties', () => {
  const entries = fc.constantFrom(
    'https://example.com',
    'https://*.example.com',
    'http://localhost:3000',
    'https://*.example.com:8443',
    'https://xn--bcher-kva.example',
  );
  const lists = fc.oneof(fc.constant([] as string[]), fc.array(entries, { minLength: 1, maxLength: 3 }));
  // Strings that look like origins often enough to reach the matching code, mixed with noise.
  const headers = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.webUrl().map((url) => url.replace(/\/$/, '')),
    fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', ''),
        fc.domain(),
        fc.constantFrom('', ':443', ':80', ':3000', ':8443', '.', '/', '\\x', '%2e'),
      )
      .map(([scheme, host, tail]) => `${scheme}${host}${tail}`),
    fc.constantFrom('null', 'https://a.example.com', 'https://example.com', 'http://localhost:3000'),
  );

  test('never throws; an admitted origin is the header itself and parses as an origin', () => {
    fc.assert(
      fc.property(fc.option(headers, { nil: undefined }), lists, (header, allowed) => {
        const result = matchOrigin(header, allowed);
        if (result !== null) {
          expect(result).toBe(header);
          expect(parseOrigin(result).ok).toBe(true);
          // A CORS grant must be a valid header value on every platform: printable ASCII.
          expect(result).toMatch(/^[\x21-\x7e]+$/);
          // ...and exactly an origin: the URL parser finds no path, query or credentials in it.
          const url = new URL(result);
          expect(url.href).toBe(`${url.origin}/`);
          expect(url.origin).toBe(parseOrigin(result).ok && (parseOrigin(result) as { origin: string }).origin);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('a non-empty list never admits a missing or null Origin, nor one it does not cover', () => {
    fc.assert(
      fc.property(fc.domain(), (host) => {
        expect(matchOrigin(undefined, EXACT)).toBeNull();
        expect(matchOrigin('null', WILDCARD)).toBeNull();
        const origin = `https://${host}`;
        const admitted = matchOrigin(origin, WILDCARD) !== null;
        expect(admitted).toBe(/\.example\.com$/.test(host.toLowerCase()) && host.length > '.example.com'.length);
      }),
    );
  });
});
