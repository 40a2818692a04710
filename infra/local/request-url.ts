import type { IncomingMessage } from 'node:http';

/**
 * The URL a request names, or undefined when its request line names none. `new URL(req.url,
 * base)` would throw on `//a:b` (read as a host and port) or `http://x:99999/`: a path is read
 * as a path here, even one starting with `//`, and any other target must be a whole URL.
 */
export function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  const text = target.startsWith('/') ? `http://local${target}` : target;
  return URL.canParse(text) ? new URL(text) : undefined;
}
