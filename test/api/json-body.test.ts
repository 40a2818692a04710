import fc from 'fast-check';
import { messageBodySchema } from '../../functions/conversations/send-message';
import { PerchError } from '../../functions/errors/perch-error';
import { MAX_BODY_BYTES, parseJsonBody } from '../../functions/http/json-body';
import { feedbackBodySchema } from '../../functions/sessions/rate-message';
import { startSessionBodySchema } from '../../functions/sessions/start-session';

function refusal(body: string, schema: Parameters<typeof parseJsonBody>[1] = messageBodySchema): PerchError {
  try {
    parseJsonBody(body, schema);
  } catch (error) {
    if (error instanceof PerchError) return error;
    throw error;
  }
  throw new Error(`accepted ${body}`);
}

test.each([
  ['malformed JSON', '{"text":', 'The body is not valid JSON.'],
  ['a role field', '{"text":"hi","role":"system"}', 'unknown field "role"'],
  ['two unknown fields', '{"text":"hi","role":"system","system":"x"}', 'unknown fields "role", "system"'],
  ['a number for text', '{"text":5}', 'text: expected string'],
  ['an array', '[]', 'expected object'],
  ['4,001 characters', `{"text":"${'a'.repeat(4001)}"}`, 'text: too long (at most 4000)'],
])('%s is refused bad_request, saying why', (_name, body, message) => {
  const error = refusal(body);
  expect([error.code, error.status, error.message]).toEqual(['bad_request', 400, message]);
});

test('the size limit counts bytes, not characters: 11,000 three-byte characters are too large', () => {
  const body = JSON.stringify({ text: '€'.repeat(11_000) });
  expect(body.length).toBeLessThan(MAX_BODY_BYTES);
  expect(refusal(body).code).toBe('payload_too_large');
});

test('the largest valid message fits well inside the size limit, even in four-byte characters', () => {
  const body = JSON.stringify({ text: '🐦'.repeat(2000) }); // 4,000 UTF-16 units, 8,000 bytes
  expect(parseJsonBody(body, messageBodySchema)).toEqual({ text: '🐦'.repeat(2000) });
});

test.each([
  ['messages', messageBodySchema],
  ['sessions', startSessionBodySchema],
  ['feedback', feedbackBodySchema],
] as const)(
  'arbitrary %s bodies are parsed or refused with bad_request / payload_too_large, never another error',
  (_route, schema) => {
    const bodies = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 4 }),
      fc
        .dictionary(
          fc.constantFrom('text', 'key', 'resume', 'messageId', 'rating', '__proto__', 'constructor', 'role'),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        try {
          const parsed = parseJsonBody(body, schema);
          expect(schema.safeParse(JSON.parse(body)).success).toBe(true);
          expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
        } catch (error) {
          expect(error).toBeInstanceOf(PerchError);
          expect(['bad_request', 'payload_too_large']).toContain((error as PerchError).code);
        }
      }),
      { numRuns: 1000 },
    );
  },
);
