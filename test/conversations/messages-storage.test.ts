import { sessionKey } from '../../functions/sessions/session-record';
import { startSession } from '../api/clocked-perch';
import { answer, DOCS, useScriptedPerch } from './scripted-perch';

// What a reply leaves behind (turns, counts, cost) and what the model is given, with a scripted
// model (see scripted-perch.ts).
const chat = useScriptedPerch();
const { send } = chat;

describe('what a reply stores', () => {
  test('both turns are kept on the session, the answer under the message id, with the retention expiry', async () => {
    const { messageId } = (await (await send('  How do I rotate the key?  ', 'application/json')).json()) as {
      messageId: string;
    };

    const item = (await chat.perch.runtimeItems()).get(`${sessionKey(chat.session.sessionId).pk}|SESSION`)!;
    const turns = item.turns as Record<string, { role: string; text: string }>;
    expect(turns[messageId]).toMatchObject({ role: 'assistant', text: 'Raise keyRotation.' });
    expect(
      Object.values(turns)
        .map((t) => [t.role, t.text])
        .sort(),
    ).toEqual([
      ['assistant', 'Raise keyRotation.'],
      ['visitor', 'How do I rotate the key?'],
    ]);
    expect(item.expiresAt).toBe(Math.floor(chat.perch.clock.now() / 1000) + 30 * 86_400);
  });

  test(
    'the model gets the widget system prompt and the earlier turns, ' + 'never anything from the client but its text',
    async () => {
      await send('first question', 'application/json');
      await send('second question', 'application/json');

      expect(chat.requests[1]).toMatchObject({
        system: 'You answer questions about Perch.',
        maxOutputTokens: 300,
        turns: [
          { role: 'user', text: 'first question' },
          { role: 'assistant', text: 'Raise keyRotation.' },
          { role: 'user', text: 'second question' },
        ],
      });
    },
  );

  test('the day counter gets the message, its tokens and the cost from the pricing', async () => {
    const before = (await chat.perch.counter('docs-bot'))!;
    await send('How do I rotate the key?', 'application/json');
    const after = (await chat.perch.counter('docs-bot'))!;

    expect(Number(after.messages) - Number(before.messages)).toBe(1);
    expect(Number(after.inputTokens) - Number(before.inputTokens ?? 0)).toBe(30);
    expect(Number(after.outputTokens) - Number(before.outputTokens ?? 0)).toBe(4);
    expect(Number(after.costUsd) - Number(before.costUsd ?? 0)).toBeCloseTo((30 * 1000 + 4 * 2000) / 1e6, 10);
  });

  test('a model that reports no usage gets an estimate (about 4 characters a token)', async () => {
    chat.script = () => answer(['x'.repeat(40)], null);
    const reply = (await (await send('How?', 'application/json')).json()) as {
      usage: { inputTokens: number; outputTokens: number };
    };
    expect(reply.usage.outputTokens).toBe(10);
    expect(reply.usage.inputTokens).toBeGreaterThan(0);
  });
});

test('a widget whose model cannot serve answers 503 bot_not_ready and counts no message', async () => {
  const unready = await startSession(chat.perch.url, DOCS, chat.perch.publicKey('unready'));
  const response = await send('hello?', 'application/json', unready);

  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    error: { code: 'bot_not_ready', message: 'This bot is not ready for chat yet.' },
  });
  expect((await chat.perch.counter('unready'))?.messages).toBeUndefined();
  expect((await chat.perch.counter('unready'))?.refusals).toEqual({ bot_not_ready: 1 });
});
