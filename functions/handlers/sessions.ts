import { createApiHandler } from '../http/api-handler';
import { createSessionRoute } from '../sessions/start-session';
import { createSessionRuntime } from './runtime';

/** Lambda: `POST|OPTIONS /v1/sessions`. */
export const handler = createApiHandler(createSessionRoute(createSessionRuntime()));
