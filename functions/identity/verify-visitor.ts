import { PerchError } from '../errors/perch-error';
import type { IdentitySettings, WidgetRecord } from '../records/table';
import { createSecretCache } from '../secrets/secret-cache';
import type { SecretFetcher } from '../sessions/signing-secret';
import { type VerifiedIdentity, verifyIdentityToken } from './identity-token';

/** The visitor a session start names: signed in, or anonymous (undefined). */
export type IdentityVerifier = (
  widget: WidgetRecord,
  token: string | undefined,
  now: number,
) => Promise<VerifiedIdentity | undefined>;

/**
 * Checks a session start's `identity` against the widget's `identity` settings: a widget without
 * them treats every visitor as anonymous (a token is ignored); `required` refuses a start without
 * a token (`identity_required`); a token must verify (`identity_invalid`). The secret comes from
 * `secretEnv` (the local target's environment) or the Secrets Manager secret `secretSecret`,
 * read once per cold start; an unreadable secret is the operator's to fix, a logged 500.
 */
export function createIdentityVerifier({
  env,
  fetchSecret,
}: {
  env: NodeJS.ProcessEnv;
  fetchSecret: SecretFetcher;
}): IdentityVerifier {
  const readSecret = createSecretCache(fetchSecret);
  const secretOf = async (settings: IdentitySettings): Promise<string> => {
    if (settings.secretSecret) return readSecret(settings.secretSecret);
    const value = settings.secretEnv ? env[settings.secretEnv] : undefined;
    if (!value) throw new Error(`identity secret: environment variable ${settings.secretEnv} is not set`);
    return value;
  };
  return async (widget, token, now) => {
    const settings = widget.identity;
    if (!settings) return undefined;
    if (!token) {
      if (settings.required) throw new PerchError('identity_required');
      return undefined;
    }
    return verifyIdentityToken(token, { secret: await secretOf(settings), widgetId: widget.widgetId, now });
  };
}
