import { dependenciesFromEnvironment } from '../wiring/dependencies';
import { createWidgetConfigFunction } from '../wiring/widget-config';

/** Lambda: GET|OPTIONS /v1/widgets/{key}, built once at cold start from the environment Pulumi sets. */
export const handler = createWidgetConfigFunction(dependenciesFromEnvironment());
