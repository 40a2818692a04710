import { createApiHandler } from '../http/api-handler';
import { createAppearanceRoute } from '../widgets/appearance';
import { createWidgetStore } from '../widgets/widget-store';
import type { FunctionDependencies } from './dependencies';

/** `GET|OPTIONS /v1/widgets/{key}`. */
export function createWidgetConfigFunction(deps: FunctionDependencies) {
  const store = createWidgetStore(deps);
  return createApiHandler(createAppearanceRoute({ store, now: deps.now, logger: deps.logger }), {
    edgeSecret: deps.edgeSecret,
    logger: deps.logger,
  });
}
