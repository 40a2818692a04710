import { createUsageCounters } from '../limits/usage-counters';
import { createDocumentClient } from '../records/client';
import { tableName } from '../records/table';
import { createSessionStore } from '../sessions/session-record';
import { createSessionKeyLoader, fetchFromSecretsManager } from '../sessions/signing-secret';
import { createWidgetStore } from '../widgets/widget-store';

/** What the session handlers build once per cold start: clients, stores, the key loader. */
export function createSessionRuntime() {
  const doc = createDocumentClient();
  const table = tableName();
  const widgets = createWidgetStore({ doc, table });
  return {
    doc,
    table,
    widgets,
    findWidget: (id: string) => widgets.findWidget(id),
    sessions: createSessionStore({ doc, table }),
    counters: createUsageCounters({ doc, table }),
    loadKeys: createSessionKeyLoader({ fetchSecret: fetchFromSecretsManager }),
  };
}
