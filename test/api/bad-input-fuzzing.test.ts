import fc from 'fast-check';
import { utcDay } from '../../functions/usage/day';
import { useBadInputPerch } from './bad-input-perch';

// Arbitrary message bodies, tokens and session ids (see bad-input-perch.ts).
const perch = useBadInputPerch();
const { message, runtimeState } = perch;

describe('fuzzing', () => {
  const messagesOf = async () =>
    Number(
      ((await runtimeState())[`COUNTER#docs-bot|DAY#${utcDay(Date.now())}`] as { messages?: number } | undefined)
        ?.messages ?? 0,
    );

  /** The only bodies the message route may admit: `{ "text": <1–4,000 characters, not only whitespace> }`. */
  function isValidMessage(body: string): boolean {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
      const keys = Object.keys(parsed);
      const value = (parsed as { text?: unknown }).text;
      return (
        keys.length === 1 &&
        keys[0] === 'text' &&
        typeof value === 'string' &&
        value.length <= 4000 &&
        value.trim() !== ''
      );
    } catch {
      return false;
    }
  }

  test('arbitrary bodies never get a 5xx, and only a valid message is ever admitted', async () => {
    const bodies = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc
        .record({ text: fc.oneof(fc.string({ maxLength: 50 }), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] })
        .map((o) => JSON.stringify(o)),
      fc
        .dictionary(
          fc.constantFrom('text', 'role', 'system', 'content', '__proto__', 'messages'),
          fc.jsonValue({ maxDepth: 1 }),
        )
        .map((o) => JSON.stringify(o)),
    );
    let admitted = 0;
    const before = await messagesOf();
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const response = await message(body);
        const answer = (await response.json()) as { messageId?: string; error?: { code: string } };
        expect(response.status).toBeLessThan(500);
        if (response.status === 200) {
          admitted += 1;
          expect(isValidMessage(body)).toBe(true);
        } else {
          expect([400, 413]).toContain(response.status);
          expect(isValidMessage(body)).toBe(false);
        }
        expect(answer.messageId !== undefined || answer.error !== undefined).toBe(true);
      }),
      { numRuns: 150 },
    );
    expect((await messagesOf()) - before).toBe(admitted);
  });

  test('arbitrary or edited tokens and session ids never get a 5xx and never admit a message', async () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 80,
    });
    const edited = fc
      .tuple(fc.nat({ max: perch.mine.token.length }), fc.nat({ max: 3 }), printable)
      .map(([at, drop, insert]) => perch.mine.token.slice(0, at) + insert + perch.mine.token.slice(at + drop));
    const tokens = fc.oneof(
      printable,
      edited,
      fc.constant(perch.sibling.token),
      fc.constant(perch.onShop.token),
      fc.constant(perch.foreign.token),
    );
    const sessionIds = fc.oneof(
      fc.constant(perch.mine.sessionId),
      fc.constant(perch.foreign.sessionId),
      printable.filter((s) => s !== '' && s !== '.' && s !== '..'),
    );
    const before = await runtimeState();

    await fc.assert(
      fc.asyncProperty(tokens, sessionIds, async (token, sessionId) => {
        fc.pre(
          ![perch.mine, perch.foreign].some((genuine) => genuine.token === token && genuine.sessionId === sessionId),
        );
        const response = await message({ text: 'How do I rotate the key?' }, { token, sessionId });
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('session_invalid');
      }),
      { numRuns: 150 },
    );
    expect(await runtimeState()).toEqual(before);
  });
});
