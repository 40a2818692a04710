/**
 * A request the API refused, or that never got an answer; `code` is DESIGN.md's error code
 * (`network` when nothing readable answered) and `message` the server's visitor text, already in
 * the widget's language (`''` when there is none to read).
 */
export class Refusal extends Error {
  // `declare`: assigned below, not emitted again as class fields (the loader's size budget).
  declare readonly code: string;
  /** The HTTP status; none when nothing readable answered. */
  declare readonly status?: number;
  constructor(code: string, status?: number, message = '') {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** What the visitor reads for a failure: the server's text, else `fallback` (no answer, or no Perch refusal). */
export const failureText = (error: unknown, fallback: string): string =>
  (error instanceof Refusal && error.message) || fallback;

/**
 * `fetch` that throws a {@link Refusal} for anything but a 2xx. A refused origin gets no CORS
 * grant, so the browser reports it as a failed fetch, like a network failure: `network`.
 */
export async function callApi(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init).catch(() => {
    throw new Refusal('network');
  });
  if (response.ok) return response;
  const error = (await response.json().catch(() => undefined))?.error;
  // Anything but a Perch refusal (`{ error: { code, message } }`) has no text: the visitor gets the general one.
  throw new Refusal(String(error?.code), response.status, typeof error?.message === 'string' ? error.message : '');
}

/** A JSON POST with the session token when there is one. */
export function postJson(url: string, body: unknown, token?: string, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  return callApi(url, { method: 'POST', headers, body: JSON.stringify(body) });
}
