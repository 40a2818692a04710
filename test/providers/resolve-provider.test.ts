import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { CompletionEvent } from '../../functions/providers/model-provider';
import {
  createProviderResolver,
  DEFAULT_MAX_OUTPUT_TOKENS,
  type ProviderResolution,
  replyCost,
} from '../../functions/providers/resolve-provider';
import { MANAGED_BY, type ModelBinding, type WidgetRecord } from '../../functions/records/table';

const widgetWith = (model: ModelBinding): WidgetRecord => ({
  pk: 'WIDGET#docs-bot',
  sk: 'CONFIG',
  managedBy: MANAGED_BY,
  widgetId: 'docs-bot',
  name: 'Docs',
  model,
  systemPrompt: 'Be brief.',
  greeting: 'Hi',
  placeholder: 'Ask',
  theme: { primary: '#2563eb', position: 'bottom-right' },
  allowedOrigins: [],
  limits: { perMinute: 10, perDay: 200 },
  status: 'active',
  quickActions: [],
  feedback: true,
  faq: [{ question: 'How do I rotate the key?', answer: 'Raise keyRotation.' }],
  retentionDays: 30,
  publicKey: 'pk_x',
  keyVersion: 0,
  keyGrace: {},
  incarnation: 'i-1',
});
const OPENAI = { provider: 'openai', baseUrl: 'https://llm.example.com/v1', model: 'gpt-test' } as const;
const noSecrets = () => Promise.reject(new Error('AccessDeniedException'));

function ready(resolution: ProviderResolution) {
  if (!resolution.ready) throw new Error(`not ready: ${resolution.reason}`);
  return resolution;
}

/** A fetch that records the Authorization header and answers one streamed word. */
function recordingFetch() {
  const authorizations: (string | undefined)[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    authorizations.push((init.headers as Record<string, string>).Authorization);
    return new Response('data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n', {
      headers: { 'Content-Type': 'text/event-stream' },
    });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, authorizations };
}

async function run(resolution: ProviderResolution) {
  const events: CompletionEvent[] = [];
  for await (const event of ready(resolution).provider.complete({
    system: 's',
    turns: [{ role: 'user', text: 'rotate key' }],
    maxOutputTokens: 10,
    signal: new AbortController().signal,
  })) {
    events.push(event);
  }
  return events;
}

test("the faq binding is always ready and answers from the widget's own Q&A", async () => {
  const resolve = createProviderResolver({ fetchSecret: noSecrets });
  const resolution = await resolve(widgetWith({ provider: 'faq' }));
  expect(ready(resolution).maxOutputTokens).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
  expect(
    (await run(resolution))
      .filter((e) => e.type === 'delta')
      .map((e) => (e as { text: string }).text)
      .join(''),
  ).toBe('Raise keyRotation.');
});

describe('openai readiness', () => {
  test('a missing apiKeyEnv variable is not ready, and says which variable', async () => {
    const resolve = createProviderResolver({ env: {}, fetchSecret: noSecrets });
    expect(await resolve(widgetWith({ ...OPENAI, apiKeyEnv: 'LLM_KEY' }))).toEqual({
      ready: false,
      reason: 'environment variable LLM_KEY is not set',
    });
  });

  test('an empty apiKeyEnv variable counts as missing', async () => {
    const resolve = createProviderResolver({ env: { LLM_KEY: '' }, fetchSecret: noSecrets });
    expect((await resolve(widgetWith({ ...OPENAI, apiKeyEnv: 'LLM_KEY' }))).ready).toBe(false);
  });

  test('a set apiKeyEnv variable is the bearer key', async () => {
    const { fetch, authorizations } = recordingFetch();
    const resolve = createProviderResolver({ env: { LLM_KEY: 'sk-env' }, fetchSecret: noSecrets, fetch });
    await run(await resolve(widgetWith({ ...OPENAI, apiKeyEnv: 'LLM_KEY' })));
    expect(authorizations).toEqual(['Bearer sk-env']);
  });

  test('an apiKeySecret is read once per cold start and used as the key', async () => {
    const { fetch, authorizations } = recordingFetch();
    const fetchSecret = jest.fn().mockResolvedValue('sk-secret');
    const resolve = createProviderResolver({ env: {}, fetchSecret, fetch });
    const widget = widgetWith({ ...OPENAI, apiKeySecret: 'perch/llm' });

    await run(await resolve(widget));
    await run(await resolve(widget));

    expect(fetchSecret.mock.calls).toEqual([['perch/llm']]);
    expect(authorizations).toEqual(['Bearer sk-secret', 'Bearer sk-secret']);
  });

  test('an unreadable apiKeySecret is not ready, and is read again at the next message', async () => {
    const fetchSecret = jest
      .fn()
      .mockRejectedValueOnce(new Error('AccessDeniedException'))
      .mockResolvedValue('sk-secret');
    const resolve = createProviderResolver({ env: {}, fetchSecret });
    const widget = widgetWith({ ...OPENAI, apiKeySecret: 'perch/llm' });

    expect(await resolve(widget)).toEqual({
      ready: false,
      reason: 'API key secret perch/llm unreadable: AccessDeniedException',
    });
    expect((await resolve(widget)).ready).toBe(true);
    expect(fetchSecret).toHaveBeenCalledTimes(2);
  });

  test('with neither apiKeyEnv nor apiKeySecret the binding is ready and keyless (a local server)', async () => {
    const { fetch, authorizations } = recordingFetch();
    await run(await createProviderResolver({ env: {}, fetchSecret: noSecrets, fetch })(widgetWith(OPENAI)));
    expect(authorizations).toEqual([undefined]);
  });

  test('pricing and maxOutputTokens come from the binding', async () => {
    const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
    const resolution = await createProviderResolver({ fetchSecret: noSecrets })(
      widgetWith({ ...OPENAI, pricing, maxOutputTokens: 99 }),
    );
    expect(ready(resolution)).toMatchObject({ pricing, maxOutputTokens: 99 });
  });
});

test('bedrock is ready with one client per region per cold start', async () => {
  const bedrockClient = jest.fn(
    async (region: string | undefined) => new BedrockRuntimeClient({ region: region ?? 'us-east-1' }),
  );
  const resolve = createProviderResolver({ fetchSecret: noSecrets, bedrockClient });
  const claude = { provider: 'bedrock', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' } as const;

  await resolve(widgetWith(claude));
  await resolve(widgetWith(claude));
  await resolve(widgetWith({ ...claude, region: 'eu-west-1' }));

  expect(bedrockClient.mock.calls).toEqual([[undefined], ['eu-west-1']]);
});

test('an unknown provider in a hand-edited record is not ready', async () => {
  const resolution = await createProviderResolver({ fetchSecret: noSecrets })(
    widgetWith({ provider: 'llama' } as never),
  );
  expect(resolution).toEqual({ ready: false, reason: 'unknown model provider "llama"' });
});

test.each([
  [undefined, { inputTokens: 1000, outputTokens: 1000 }, 0],
  [{ inputPerMTok: 3, outputPerMTok: 15 }, { inputTokens: 1_000_000, outputTokens: 0 }, 3],
  [{ inputPerMTok: 3, outputPerMTok: 15 }, { inputTokens: 2000, outputTokens: 1000 }, 0.021],
])('replyCost(%j, %j) is %d USD', (pricing, usage, cost) => {
  expect(replyCost(pricing, usage)).toBeCloseTo(cost, 10);
});
