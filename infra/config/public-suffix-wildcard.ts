import { getDomain } from 'tldts';
import type { OriginRule } from '../../functions/origins/origin';

// Private suffixes count too: `*.github.io` admits every user's site as surely as `*.co.uk` does.
// The domain is already a normalised punycode host, so tldts neither re-extracts nor re-validates it.
const SUFFIX_OPTIONS = { allowPrivateDomains: true, extractHostname: false } as const;

/**
 * Why a wildcard rule over a public suffix is refused, or undefined when the rule is fine:
 * `https://*.co.uk` is refused, `https://*.example.co.uk` is not. A config-time rule only: the
 * public suffix list lives in tldts, which the Lambda bundles must not carry.
 */
export function publicSuffixWildcardProblem(rule: OriginRule): string | undefined {
  // No registrable domain in it: it is a public suffix, or every name under it is one (`kawasaki.jp`).
  if (rule.kind === 'exact' || getDomain(rule.domain, SUFFIX_OPTIONS) !== null) return undefined;
  const example = `${rule.scheme}//yourname.${rule.domain}${rule.port ? `:${rule.port}` : ''}`;
  return `admits every site under the public suffix ${rule.domain}; list your own site instead, e.g. ${example}`;
}
