import { dependenciesFromEnvironment } from '../wiring/dependencies';
import { createFeedbackFunction } from '../wiring/feedback';

/**
 * Lambda: POST|OPTIONS /v1/sessions/{sessionId}/feedback, built once at cold start from the
 * environment Pulumi sets.
 */
export const handler = createFeedbackFunction(dependenciesFromEnvironment());
