import { createApiHandler } from '../http/api-handler';
import { createFeedbackRoute } from '../sessions/rate-message';
import type { FunctionDependencies } from './dependencies';
import { createSessionRuntime } from './session-runtime';

/** `POST|OPTIONS /v1/sessions/{sessionId}/feedback`. */
export function createFeedbackFunction(deps: FunctionDependencies) {
  return createApiHandler(createFeedbackRoute(createSessionRuntime(deps)), {
    edgeSecret: deps.edgeSecret,
    logger: deps.logger,
  });
}
