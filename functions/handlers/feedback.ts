import { createApiHandler } from '../http/api-handler';
import { createFeedbackRoute } from '../sessions/rate-message';
import { createSessionRuntime } from './runtime';

/** Lambda: `POST|OPTIONS /v1/sessions/{sessionId}/feedback`. */
export const handler = createApiHandler(createFeedbackRoute(createSessionRuntime()));
