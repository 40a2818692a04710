/** A request the API refused, or that never got an answer; `code` is DESIGN.md's error code. */
export class Refusal extends Error {
  // `declare`: assigned below, not emitted again as class fields (the loader's size budget).
  declare readonly code: string;
  /** The HTTP status; none when nothing readable answered. */
  declare readonly status?: number;
  constructor(code: string, status?: number) {
    super(code);
    this.code = code;
    this.status = status;
  }
}

/** The refusal's code; `''` for anything else (a body that is no JSON, a bug). */
export const codeOf = (error: unknown): string => (error instanceof Refusal ? error.code : '');

/**
 * `fetch` that throws a {@link Refusal} for anything but a 2xx. A refused origin gets no CORS
 * grant, so the browser reports it as a failed fetch: a `no-cors` probe of the same URL tells it
 * apart from a network failure (an opaque answer means the server is up and said no).
 */
export async function callApi(url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    const answered = await fetch(url, { mode: 'no-cors' }).then(
      () => true,
      () => false,
    );
    // `network`: nothing answered; the loader and panel show their own failure text for it.
    throw new Refusal(answered ? 'widget_origin_denied' : 'network');
  }
  if (response.ok) return response;
  const body = await response.json().catch(() => undefined);
  // Anything but a Perch refusal (`{ error: { code } }`) reads as an unknown code: the visitor gets the general text.
  throw new Refusal(String(body?.error?.code), response.status);
}

/** A JSON POST with the session token when there is one. */
export function postJson(url: string, body: unknown, token?: string, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  return callApi(url, { method: 'POST', headers, body: JSON.stringify(body) });
}
