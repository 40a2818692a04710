import type { z } from 'zod';
import { PerchError } from '../errors/perch-error';

/** Request bodies are small: a 4,000-character message is at most ~16 KB of JSON. */
export const MAX_BODY_BYTES = 32 * 1024;

/**
 * Parses a JSON body against a strict zod schema: 413 `payload_too_large` above the size limit,
 * 400 `bad_request` for malformed JSON, wrong types or unknown fields (e.g. a `role`).
 */
export function parseJsonBody<T extends z.ZodType>(
  body: string,
  schema: T,
  { corsOrigin, maxBytes = MAX_BODY_BYTES }: { corsOrigin?: string; maxBytes?: number } = {},
): z.output<T> {
  if (Buffer.byteLength(body, 'utf8') > maxBytes) throw new PerchError('payload_too_large', { corsOrigin });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new PerchError('bad_request', { message: 'The body is not valid JSON.', cause, corsOrigin });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    throw new PerchError('bad_request', { message: `${where}${first?.message ?? 'invalid body'}`, cause: parsed.error, corsOrigin });
  }
  return parsed.data;
}
