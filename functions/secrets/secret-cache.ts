import type { SecretFetcher } from '../sessions/signing-secret';

/**
 * Reads each secret once per cold start (model API keys, identity secrets): a concurrent read
 * shares the first one's promise, and a failed read is retried next time rather than cached.
 */
export function createSecretCache(fetchSecret: SecretFetcher): SecretFetcher {
  const secrets = new Map<string, Promise<string>>();
  return (id) => {
    if (!secrets.has(id)) {
      const fetched = fetchSecret(id).catch((error: unknown) => {
        secrets.delete(id);
        throw error;
      });
      secrets.set(id, fetched);
    }
    return secrets.get(id)!;
  };
}
