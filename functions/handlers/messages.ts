import { dependenciesFromEnvironment } from '../wiring/dependencies';
import { createMessagesFunction } from '../wiring/messages';

/**
 * Lambda: POST|OPTIONS /v1/sessions/{sessionId}/messages (streamed), built once at cold start
 * from the environment Pulumi sets.
 */
export const handler = createMessagesFunction(dependenciesFromEnvironment());
