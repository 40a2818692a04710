import { createMessageRoute, type MessageRouteOptions } from '../conversations/send-message';
import { createStreamingApiHandler } from '../http/api-handler';
import { readArtifactsFromEnvironment } from '../knowledge/artifact-readers';
import { createKnowledgeLoader } from '../knowledge/knowledge-loader';
import { createProviderResolver } from '../providers/resolve-provider';
import type { FunctionDependencies } from './dependencies';
import { createSessionRuntime } from './session-runtime';

export type MessagesOverrides = Pick<
  Partial<MessageRouteOptions>,
  'resolveProvider' | 'timeoutMs' | 'jsonDeadlineMs' | 'heartbeatMs'
>;

/** `POST|OPTIONS /v1/sessions/{sessionId}/messages`, streamed (the answer as it is written). */
export function createMessagesFunction(deps: FunctionDependencies, overrides: MessagesOverrides = {}) {
  const { resolveProvider, timeoutMs, jsonDeadlineMs, heartbeatMs } = overrides;
  const route = createMessageRoute({
    ...createSessionRuntime(deps),
    resolveProvider: resolveProvider ?? createProviderResolver({ env: deps.env, fetchSecret: deps.fetchSecret }),
    // Only this function reads knowledge, so only its bundle carries the S3 client.
    loadKnowledge: createKnowledgeLoader(deps.readArtifact ?? readArtifactsFromEnvironment(deps.env)),
    timeoutMs,
    jsonDeadlineMs,
    heartbeatMs,
    logger: deps.logger,
  });
  return createStreamingApiHandler(route, { edgeSecret: deps.edgeSecret, logger: deps.logger });
}
