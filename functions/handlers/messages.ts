import { createMessageRoute } from '../conversations/send-message';
import { createStreamingApiHandler } from '../http/api-handler';
import { createProviderResolver } from '../providers/resolve-provider';
import { fetchFromSecretsManager } from '../sessions/signing-secret';
import { createSessionRuntime } from './runtime';

/** Lambda (response streaming): `POST|OPTIONS /v1/sessions/{sessionId}/messages`. */
export const handler = createStreamingApiHandler(
  createMessageRoute({ ...createSessionRuntime(), resolveProvider: createProviderResolver({ fetchSecret: fetchFromSecretsManager }) }),
);
