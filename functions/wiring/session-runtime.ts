import { createSignedInSessions } from '../identity/signed-in-sessions';
import { createIdentityVerifier } from '../identity/verify-visitor';
import { createUsageCounters } from '../limits/usage-counters';
import { createSessionStore } from '../sessions/session-record';
import { createWidgetStore } from '../widgets/widget-store';
import type { FunctionDependencies } from './dependencies';

/** What the session functions build once from their dependencies: stores and counters. */
export function createSessionRuntime({ doc, table, loadKeys, now, logger }: FunctionDependencies) {
  const widgets = createWidgetStore({ doc, table });
  return {
    doc,
    table,
    widgets,
    findWidget: (id: string) => widgets.findWidget(id),
    sessions: createSessionStore({ doc, table }),
    counters: createUsageCounters({ doc, table }),
    loadKeys,
    now,
    logger,
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
