import type { CompletionEvent, CompletionRequest, ModelProvider } from '../../functions/providers/model-provider';
import { createProviderResolver } from '../../functions/providers/resolve-provider';
import { sessionKey } from '../../functions/sessions/session-record';
import {
  type ClockedPerch,
  postToSession,
  type StartedSession,
  startClockedPerch,
  startSession,
} from '../api/clocked-perch';

// The message route through the local server's streaming adapter, with a scripted model so
// each test decides what the upstream does (deltas, usage, failure, hanging).
export const DOCS = 'https://docs.example.com';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const PRICING = { inputPerMTok: 1000, outputPerMTok: 2000 };

export type Script = (request: CompletionRequest) => AsyncIterable<CompletionEvent>;

export async function* answer(
  pieces: string[],
  usage: [number, number] | null = [30, 4],
): AsyncIterable<CompletionEvent> {
  for (const text of pieces) yield { type: 'delta', text };
  if (usage) yield { type: 'usage', inputTokens: usage[0], outputTokens: usage[1] };
}

export interface ScriptedChat {
  /** Perch with `docs-bot` on the scripted model (pricing above) and `unready` on a keyless one. */
  perch: ClockedPerch;
  /** A new docs-bot session for each test, a second later than the last. */
  session: StartedSession;
  /** What the model does; each test starts with the answer "Raise keyRotation." and usage 30/4. */
  script: Script;
  /** The requests the model got in this test. */
  requests: CompletionRequest[];
  /** A spy on the functions' error log, for this test. */
  errorLog: jest.SpyInstance;
  send(text: unknown, accept?: string, target?: StartedSession, signal?: AbortSignal): Promise<Response>;
  storedTurns(sessionId?: string): Promise<{ role: string; text: string; rating?: string }[]>;
  messagesCounted(): Promise<number>;
}

/** Starts the scripted Perch for the test file and resets the script, spy and session before each test. */
export function useScriptedPerch(): ScriptedChat {
  const realResolver = createProviderResolver({
    env: {},
    fetchSecret: () => Promise.reject(new Error('no secrets')),
  });
  const scripted: ModelProvider = {
    complete: (request) => {
      chat.requests.push(request);
      return chat.script(request);
    },
  };
  const chat: ScriptedChat = {
    perch: undefined as never,
    session: undefined as never,
    script: () => answer([]),
    requests: [],
    errorLog: undefined as never,
    send: (text, accept = 'text/event-stream', target = chat.session, signal) =>
      postToSession(
        chat.perch.url,
        target.sessionId,
        'messages',
        { text },
        { origin: DOCS, token: target.token, accept, signal },
      ),
    storedTurns: async (sessionId = chat.session.sessionId) => {
      const item = (await chat.perch.runtimeItems()).get(`${sessionKey(sessionId).pk}|SESSION`);
      return Object.values((item?.turns ?? {}) as Record<string, { role: string; text: string; rating?: string }>);
    },
    messagesCounted: async () => Number((await chat.perch.counter('docs-bot'))?.messages ?? 0),
  };

  beforeAll(async () => {
    chat.perch = await startClockedPerch({
      startAt: T0,
      timeoutMs: 500,
      config: {
        models: {
          scripted: { provider: 'bedrock', modelId: 'test-model' },
          keyless: {
            provider: 'openai',
            baseUrl: 'http://127.0.0.1:1/v1',
            model: 'x',
            apiKeyEnv: 'PERCH_TEST_MISSING_KEY',
          },
        },
        widgets: {
          'docs-bot': {
            name: 'Docs',
            model: 'scripted',
            systemPrompt: 'You answer questions about Perch.',
            allowedOrigins: [DOCS],
            limits: { perMinute: 1000, perDay: 10_000 },
          },
          unready: { name: 'Unready', model: 'keyless', allowedOrigins: [DOCS] },
        },
      },
      resolveProvider: async (widget) =>
        widget.widgetId === 'docs-bot'
          ? { ready: true, provider: scripted, maxOutputTokens: 300, pricing: PRICING }
          : realResolver(widget),
    });
  });
  afterAll(() => chat.perch.close());
  afterEach(() => chat.errorLog.mockRestore());
  beforeEach(async () => {
    chat.errorLog = jest.spyOn(chat.perch.logger, 'error');
    chat.requests.length = 0;
    chat.script = () => answer(['Raise ', 'keyRotation', '.']);
    chat.perch.clock.advance(1000);
    chat.session = await startSession(chat.perch.url, DOCS, chat.perch.publicKey('docs-bot'));
  });
  return chat;
}
