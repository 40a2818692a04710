import type * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';

/** Request bodies are small: a 4,000-character message is at most ~16 KB of JSON. */
export const MAX_BODY_BYTES = 32 * 1024;

// zod/mini (not full zod) keeps ~450 KB out of each function bundle; it ships no message
// locale, so the visitor-facing text is written here from the issue code.
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_type':
      return `${where}expected ${issue.expected}`;
    case 'too_big':
      return `${where}too long (at most ${String(issue.maximum)})`;
    case 'too_small':
      return `${where}too short (at least ${String(issue.minimum)})`;
    default:
      return `${where}invalid value`;
  }
}

/**
 * Parses a JSON body against a strict zod schema: 413 `payload_too_large` above the size limit,
 * 400 `bad_request` for malformed JSON, wrong types or unknown fields (e.g. a `role`).
 */
export function parseJsonBody<T extends z.ZodMiniType>(
  body: string,
  schema: T,
  { maxBytes = MAX_BODY_BYTES }: { maxBytes?: number } = {},
): z.output<T> {
  if (Buffer.byteLength(body, 'utf8') > maxBytes) throw new PerchError('payload_too_large');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new PerchError('bad_request', { message: 'The body is not valid JSON.', cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new PerchError('bad_request', {
      message: first ? describeIssue(first) : 'invalid body',
      cause: parsed.error,
    });
  }
  return parsed.data;
}
