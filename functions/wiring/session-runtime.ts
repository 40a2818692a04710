import { createSignedInSessions } from '../identity/signed-in-sessions';
import { createIdentityVerifier } from '../identity/verify-visitor';
import { createUsageCounters } from '../limits/usage-counters';
import { withRefusalMetric } from '../metrics/widget-metrics';
import { createSessionStore } from '../sessions/session-record';
import { createWidgetStore } from '../widgets/widget-store';
import type { FunctionDependencies } from './dependencies';

/** What the session functions build once from their dependencies: stores, counters and metrics. */
export function createSessionRuntime({ doc, table, loadKeys, now, logger, metrics }: FunctionDependencies) {
  const widgets = createWidgetStore({ doc, table });
  return {
    doc,
    table,
    widgets,
    findWidget: (id: string) => widgets.findWidget(id),
    sessions: createSessionStore({ doc, table }),
    counters: withRefusalMetric(createUsageCounters({ doc, table }), metrics),
    loadKeys,
    now,
    logger,
    metrics,
  };
}

/** The session start's runtime: the shared one plus the identity check and the signed-in sessions. */
export function createSessionStartRuntime(deps: FunctionDependencies) {
  return {
    ...createSessionRuntime(deps),
    verifyIdentity: createIdentityVerifier(deps),
    signedIn: createSignedInSessions(deps),
  };
}
