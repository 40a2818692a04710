import { createApiHandler } from '../http/api-handler';
import { createSessionRoute } from '../sessions/start-session';
import type { FunctionDependencies } from './dependencies';
import { createSessionStartRuntime } from './session-runtime';

/** `POST|OPTIONS /v1/sessions`. */
export function createSessionsFunction(deps: FunctionDependencies) {
  return createApiHandler(createSessionRoute(createSessionStartRuntime(deps)), {
    edgeSecret: deps.edgeSecret,
    logger: deps.logger,
  });
}
