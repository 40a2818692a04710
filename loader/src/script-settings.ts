/** What the host page's `<script>` tag says. */
export interface ScriptSettings {
  key: string;
  /** API base, no trailing slash. */
  api: string;
  /** Where `chat.<hash>.js` lives: next to the loader. */
  chatUrl: string;
  position?: 'bottom-right' | 'bottom-left';
  /** As written: the panel shows the config's greeting for an empty one. */
  greeting?: string;
  /** The site's identity token for a signed-in visitor (`data-perch-identity`, or later `Perch.identify`). */
  identity?: string;
}

/**
 * Reads `data-perch-key` (required), `data-host`, `data-position`, `data-greeting`, `data-perch-identity` from the
 * loader's own tag. The API base is the loader's origin and path above `/v1/`, unless
 * `data-host` names another one.
 */
export function readScriptSettings(script: HTMLScriptElement, chatFile: string): ScriptSettings | undefined {
  const data = script.dataset;
  const key = data.perchKey;
  if (!key || !script.src) return undefined;
  const loaderUrl = new URL(script.src); // `src` reads as an absolute URL
  const position = data.position;
  return {
    key,
    api: (data.host || new URL('..', loaderUrl).href).replace(/\/+$/, ''),
    chatUrl: new URL(chatFile, loaderUrl).href,
    position: position === 'bottom-left' || position === 'bottom-right' ? position : undefined,
    greeting: data.greeting,
    identity: data.perchIdentity,
  };
}
