import { dependenciesFromEnvironment } from '../wiring/dependencies';
import { createSessionsFunction } from '../wiring/sessions';

/** Lambda: POST|OPTIONS /v1/sessions, built once at cold start from the environment Pulumi sets. */
export const handler = createSessionsFunction(dependenciesFromEnvironment());
