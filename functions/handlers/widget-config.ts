import { createApiHandler } from '../http/api-handler';
import { createDocumentClient } from '../records/client';
import { tableName } from '../records/table';
import { createAppearanceRoute } from '../widgets/appearance';
import { createWidgetStore } from '../widgets/widget-store';

/** Lambda: `GET|OPTIONS /v1/widgets/{key}`. */
export const handler = createApiHandler(
  createAppearanceRoute({ store: createWidgetStore({ doc: createDocumentClient(), table: tableName() }) }),
);
