import { bot, type InvalidConfig, refusesEach } from './config-problems';

// allowedOrigins: each entry must be an origin (or a *. wildcard of one), listed once.
const invalidOrigins: InvalidConfig[] = [
  [
    'an origin without a scheme',
    (c) => (bot(c).allowedOrigins = ['https://example.com', 'example.com']),
    ['widgets.docs-bot.allowedOrigins[1]: "example.com" needs a scheme, e.g. https://example.com'],
  ],
  [
    'an origin with a path',
    (c) => (bot(c).allowedOrigins = ['https://example.com/docs']),
    [
      'widgets.docs-bot.allowedOrigins[0]: "https://example.com/docs" ' +
        'must be an origin only (scheme://host[:port]), without path, query or trailing slash',
    ],
  ],
  [
    'an origin with a trailing slash',
    (c) => (bot(c).allowedOrigins = ['https://example.com/']),
    [
      'widgets.docs-bot.allowedOrigins[0]: "https://example.com/" ' +
        'must be an origin only (scheme://host[:port]), without path, query or trailing slash',
    ],
  ],
  [
    'an origin with a backslash the URL parser would read as a path',
    (c) => (bot(c).allowedOrigins = ['https://example.com\\evil.net']),
    [
      'widgets.docs-bot.allowedOrigins[0]: "https://example.com\\\\evil.net" ' +
        'contains a character an origin never has (\\, % or a control character)',
    ],
  ],
  [
    'a duplicate origin',
    (c) => (bot(c).allowedOrigins = ['https://example.com', 'https://example.com']),
    ['widgets.docs-bot.allowedOrigins[1]: "https://example.com" duplicates allowedOrigins[0]; remove one'],
  ],
  [
    'a duplicate origin differing only by case and default port',
    (c) => (bot(c).allowedOrigins = ['http://localhost:3000', 'https://example.com', 'HTTPS://Example.COM:443']),
    ['widgets.docs-bot.allowedOrigins[2]: "HTTPS://Example.COM:443" duplicates allowedOrigins[1]; remove one'],
  ],
  [
    'a duplicate wildcard',
    (c) => (bot(c).allowedOrigins = ['https://*.example.com', 'https://*.EXAMPLE.com']),
    ['widgets.docs-bot.allowedOrigins[1]: "https://*.EXAMPLE.com" duplicates allowedOrigins[0]; remove one'],
  ],
  [
    'a wildcard in the middle of the host',
    (c) => (bot(c).allowedOrigins = ['https://foo.*.com']),
    [
      'widgets.docs-bot.allowedOrigins[0]: "https://foo.*.com" ' +
        'may only use * as the whole first label, e.g. https://*.example.com',
    ],
  ],
  [
    'a wildcard without a scheme',
    (c) => (bot(c).allowedOrigins = ['*.example.com']),
    [
      'widgets.docs-bot.allowedOrigins[0]: "*.example.com" ' +
        'may only use * as the whole first label, e.g. https://*.example.com',
    ],
  ],
  [
    'a wildcard on a top-level domain',
    (c) => (bot(c).allowedOrigins = ['https://*.com']),
    ['widgets.docs-bot.allowedOrigins[0]: "https://*.com" is too broad: *.com admits a whole top-level domain'],
  ],
  [
    'a wildcard whose domain starts with an empty label',
    (c) => (bot(c).allowedOrigins = ['https://*..com']),
    [
      'widgets.docs-bot.allowedOrigins[0]: "https://*..com" ' +
        'must not have an empty host, an empty label (..) or a trailing dot',
    ],
  ],
  [
    'a non-http scheme',
    (c) => (bot(c).allowedOrigins = ['ftp://example.com']),
    ['widgets.docs-bot.allowedOrigins[0]: "ftp://example.com" must use http or https'],
  ],
  [
    'an origin with user info',
    (c) => (bot(c).allowedOrigins = ['https://example.com@evil.net']),
    ['widgets.docs-bot.allowedOrigins[0]: "https://example.com@evil.net" must not contain user info (user@)'],
  ],
  [
    'allowedOrigins written as a string',
    (c) => (bot(c).allowedOrigins = 'https://example.com'),
    ['widgets.docs-bot.allowedOrigins: must be a list, got "https://example.com"'],
  ],
];

refusesEach(invalidOrigins);
