/** A request the API refused, or that never got an answer; `code` is DESIGN.md's error code. */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly status = 0,
  ) {
    super(code);
  }
}

/** `network` when nothing answered; the loader and panel show their own failure text for it. */
export const NETWORK = 'network';

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
    throw new Refusal(answered ? 'widget_origin_denied' : NETWORK);
  }
  if (response.ok) return response;
  const body = await response.json().catch(() => undefined);
  const code = body?.error?.code;
  throw new Refusal(typeof code === 'string' ? code : `http_${response.status}`, response.status);
}

/** A JSON POST with the session token when there is one. */
export function postJson(url: string, body: unknown, token?: string, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: accept };
  if (token) headers.Authorization = `Bearer ${token}`;
  return callApi(url, { method: 'POST', headers, body: JSON.stringify(body) });
}
