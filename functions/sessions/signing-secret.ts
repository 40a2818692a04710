import { createHmac } from 'node:crypto';
import { FUNCTION_ENV } from '../routes';

/** Keys derived from the one session secret, so a token key never doubles as the IP salt. */
export interface SessionKeys {
  tokenKey: Buffer;
  visitorSalt: Buffer;
}

export type SecretFetcher = (secretId: string) => Promise<string>;

/**
 * Loads the session-signing secret once per cold start: from `PERCH_SESSION_SECRET` (local
 * target) or the Secrets Manager secret named by `PERCH_SESSION_SECRET_ARN` (AWS).
 */
export function createSessionKeyLoader({
  env = process.env,
  fetchSecret = fetchFromSecretsManager,
}: {
  env?: NodeJS.ProcessEnv;
  fetchSecret?: SecretFetcher;
} = {}): () => Promise<SessionKeys> {
  let keys: Promise<SessionKeys> | undefined;
  return () => {
    keys ??= (async () => {
      const inline = env[FUNCTION_ENV.sessionSecret];
      const arn = env[FUNCTION_ENV.sessionSecretArn];
      const secret = inline ?? (arn ? await fetchSecret(arn) : undefined);
      if (!secret || secret.length < 32) {
        throw new Error(
          'session secret missing or shorter than 32 characters ' +
            `(${FUNCTION_ENV.sessionSecret} or ${FUNCTION_ENV.sessionSecretArn})`,
        );
      }
      return deriveSessionKeys(secret);
    })().catch((error: unknown) => {
      keys = undefined; // retry on the next request rather than failing the container forever
      throw error;
    });
    return keys;
  };
}

export function deriveSessionKeys(secret: string): SessionKeys {
  const derive = (purpose: string) => createHmac('sha256', secret).update(purpose).digest();
  return { tokenKey: derive('perch/session-token/v1'), visitorSalt: derive('perch/visitor-salt/v1') };
}

/** Reads a secret string from Secrets Manager; the client is loaded only where it is used. */
export async function fetchFromSecretsManager(secretId: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const result = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!result.SecretString) throw new Error(`secret ${secretId} has no string value`);
  return result.SecretString;
}
