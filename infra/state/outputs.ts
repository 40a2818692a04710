/** What a deployment hands its users, on both targets (Pulumi stack outputs, `outputs.json`). */
export interface PerchOutputs {
  apiUrl: string;
  loaderUrl: string;
  widgets: Record<string, { publicKey: string; snippet: string }>;
}

/** The tag a website owner pastes: the loader finds the API next to itself. */
export function widgetSnippet(loaderUrl: string, publicKey: string): string {
  return `<script src="${loaderUrl}" data-perch-key="${publicKey}" async></script>`;
}

export function buildOutputs(apiUrl: string, widgets: { id: string; publicKey: string }[]): PerchOutputs {
  const loaderUrl = `${apiUrl.replace(/\/$/, '')}/v1/loader.js`;
  return {
    apiUrl,
    loaderUrl,
    widgets: Object.fromEntries(
      widgets.map((w) => [w.id, { publicKey: w.publicKey, snippet: widgetSnippet(loaderUrl, w.publicKey) }]),
    ),
  };
}
