import { callApi } from './api';
import type { Appearance } from './contract';
import type { ScriptSettings } from './script-settings';

/** `GET /v1/widgets/{key}`; rejects with a `Refusal`, or a `SyntaxError` for a body that is no JSON. */
export const fetchAppearance = ({ api, key }: ScriptSettings): Promise<Appearance> =>
  callApi(`${api}/v1/widgets/${encodeURIComponent(key)}`).then((response) => response.json());
