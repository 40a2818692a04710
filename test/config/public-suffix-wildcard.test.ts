import { validateConfig } from '../../infra/config/load';
import { bot, type InvalidConfig, refusesEach, validConfig } from './config-problems';

const AT = 'widgets.docs-bot.allowedOrigins[0]: ';
const overSuffix = (suffix: string, example: string) =>
  `admits every site under the public suffix ${suffix}; list your own site instead, e.g. ${example}`;

// Each row: what the wildcard is on, the entry, the problem check prints after the quoted entry.
const refused: [string, string, string][] = [
  // A public suffix, ICANN or private (from tldts): the wildcard admits strangers' sites.
  ['a multi-part ICANN suffix', 'https://*.co.uk', overSuffix('co.uk', 'https://yourname.co.uk')],
  ['a private suffix', 'https://*.github.io', overSuffix('github.io', 'https://yourname.github.io')],
  [
    'a three-label private suffix',
    'https://*.s3.amazonaws.com',
    overSuffix('s3.amazonaws.com', 'https://yourname.s3.amazonaws.com'),
  ],
  ['a hosting suffix', 'https://*.herokuapp.com', overSuffix('herokuapp.com', 'https://yourname.herokuapp.com')],
  [
    'a name whose every subdomain is a suffix',
    'https://*.kawasaki.jp',
    overSuffix('kawasaki.jp', 'https://yourname.kawasaki.jp'),
  ],
  ['a suffix in upper case', 'HTTPS://*.GitHub.IO', overSuffix('github.io', 'https://yourname.github.io')],
  [
    'a suffix, over http with a port',
    'http://*.vercel.app:8080',
    overSuffix('vercel.app', 'http://yourname.vercel.app:8080'),
  ],
  [
    'an IDN suffix, named in punycode',
    'https://*.公司.cn',
    overSuffix('xn--55qx5d.cn', 'https://yourname.xn--55qx5d.cn'),
  ],
  ['a punycode suffix', 'https://*.xn--55qx5d.cn', overSuffix('xn--55qx5d.cn', 'https://yourname.xn--55qx5d.cn')],
  // One-label suffixes and IP-like hosts never reach the public suffix rule: parseOriginRule refuses them.
  ['a top-level domain', 'https://*.com', 'is too broad: *.com admits a whole top-level domain'],
  ['an IDN top-level domain', 'https://*.рф', 'is too broad: *.xn--p1ai admits a whole top-level domain'],
  ['a punycode top-level domain', 'https://*.XN--P1AI', 'is too broad: *.xn--p1ai admits a whole top-level domain'],
  ['localhost', 'http://*.localhost:3000', 'is too broad: *.localhost admits a whole top-level domain'],
  ['an IPv4 address', 'https://*.1.2.3.4', 'is not a valid origin'],
  ['an IPv6 address', 'https://*.[::1]', 'is not a valid origin'],
];

refusesEach(
  refused.map(
    ([what, entry, problem]): InvalidConfig => [
      `a wildcard on ${what}`,
      (c) => (bot(c).allowedOrigins = [entry]),
      [`${AT}${JSON.stringify(entry)} ${problem}`],
    ],
  ),
);

const allowed = [
  'https://*.example.com',
  'https://*.example.co.uk',
  'https://*.yourname.github.io',
  'https://*.city.kawasaki.jp', // an exception rule: a registrable domain under `*.kawasaki.jp`
  'https://*.example.рф',
  'http://*.app.localhost:3000',
  'https://*.example.com:8443',
  'https://example.co.uk',
  'https://yourname.github.io',
];

test.each(allowed)('validateConfig accepts %s', (entry) => {
  const config = validConfig();
  bot(config).allowedOrigins = [entry];

  expect(() => validateConfig(config)).not.toThrow();
});
