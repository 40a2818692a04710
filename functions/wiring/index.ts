import type { RouteName } from '../routes';
import type { FunctionDependencies } from './dependencies';
import { createFeedbackFunction } from './feedback';
import { createMessagesFunction, type MessagesOverrides } from './messages';
import { createQuotaResetFunction } from './quota-reset';
import { createSessionsFunction } from './sessions';
import { createWidgetConfigFunction } from './widget-config';

/** Every function of one Perch, for the local target (Lambda entries import only their own). */
export function createAllFunctions(deps: FunctionDependencies, messages: MessagesOverrides = {}) {
  const routes: Record<RouteName, unknown> = {
    'widget-config': createWidgetConfigFunction(deps),
    sessions: createSessionsFunction(deps),
    messages: createMessagesFunction(deps, messages),
    feedback: createFeedbackFunction(deps),
  };
  return { routes, quotaReset: createQuotaResetFunction(deps) };
}
