import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** More addresses than this belong on a mailing list (one subscription, one confirmation). */
export const MAX_ALERT_EMAILS = 10;

// SNS delivers from the internet: an address only reachable inside a network never gets a message.
const UNREACHABLE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  UNREACHABLE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  UNREACHABLE.addSubnet(net, prefix, 'ipv6');
const LOCAL_NAMES = /(^|\.)(localhost|local|internal)\.?$/i;

/** Why SNS cannot deliver to this URL, or undefined when it can. */
function webhookProblem(value: string): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:') return 'must be an https:// URL, e.g. https://hooks.example.com/perch';
  // The config is committed; SNS's basic-auth credentials in the URL would be too.
  if (url.username || url.password) return 'must not carry a user name or password';
  // WHATWG URL has already normalised the host (`0x7f.1` → 127.0.0.1, `[::1]`).
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const unreachable = family === 0 ? LOCAL_NAMES.test(host) : UNREACHABLE.check(host, family === 4 ? 'ipv4' : 'ipv6');
  if (unreachable) return 'must point at a public host: SNS cannot reach a loopback, private or link-local address';
  return undefined;
}

const emailList = z
  .array(z.email({ error: 'must be an email address, e.g. ops@example.com' }))
  .superRefine((emails, ctx) => {
    // In the refinement, not `.max()`: zod runs a length check even on a string given for the list.
    if (emails.length > MAX_ALERT_EMAILS) {
      ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_ALERT_EMAILS} addresses; use a mailing list` });
    }
    // Mailbox providers ignore case, and SNS would send each copy a confirmation.
    const seen = new Map<string, number>();
    emails.forEach((email, index) => {
      const first = seen.get(email.toLowerCase());
      if (first === undefined) seen.set(email.toLowerCase(), index);
      else ctx.addIssue({ code: 'custom', path: [index], message: `duplicates email[${first}]; remove one` });
    });
  });

/**
 * Who is told when an alarm fires: SNS email subscriptions and an optional HTTPS webhook.
 * `stacks.<name>.alerts` replaces it as a whole for that stack (`{}` tells no one there).
 */
export const alertsSchema = z
  .object({
    email: emailList.optional(),
    webhook: z
      .string()
      .max(2048)
      .superRefine((value, ctx) => {
        const problem = webhookProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsSchema>;

/** The subscribers of one stack's alerts topic. */
export interface ResolvedAlerts {
  email: string[];
  webhook?: string;
}

/** A stack's own `alerts` when it has one, otherwise the top-level block. */
export function resolveAlerts(base: AlertsConfig | undefined, stack: AlertsConfig | undefined): ResolvedAlerts {
  const alerts = stack ?? base ?? {};
  return { email: [...(alerts.email ?? [])], ...(alerts.webhook !== undefined && { webhook: alerts.webhook }) };
}
