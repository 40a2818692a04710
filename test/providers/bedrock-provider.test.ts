import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { createBedrockProvider } from '../../functions/providers/bedrock-provider';
import { type CompletionRequest, UpstreamError } from '../../functions/providers/model-provider';
import { collect } from './collect-events';

const bedrockMock = mockClient(BedrockRuntimeClient);
// An inference profile ID goes to ConverseStream as it is: the role's grants make it callable (policies.ts).
const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const provider = createBedrockProvider({ modelId: MODEL, client: new BedrockRuntimeClient({ region: 'us-east-1' }) });
beforeEach(() => bedrockMock.reset());

const request = (signal = new AbortController().signal): CompletionRequest => ({
  system: 'You are the docs assistant.',
  turns: [
    { role: 'user', text: 'Hi' },
    { role: 'assistant', text: 'Hello!' },
    { role: 'user', text: 'How do I rotate the key?' },
  ],
  maxOutputTokens: 512,
  signal,
});

async function* streamOf(events: ConverseStreamOutput[], failAfter?: Error): AsyncIterable<ConverseStreamOutput> {
  for (const event of events) yield event;
  if (failAfter) throw failAfter;
}

const delta = (text: string): ConverseStreamOutput => ({
  contentBlockDelta: { contentBlockIndex: 0, delta: { text } },
});
const metadata: ConverseStreamOutput = {
  metadata: { usage: { inputTokens: 42, outputTokens: 7, totalTokens: 49 }, metrics: { latencyMs: 300 } },
};

test('streams the text deltas, then the usage from the metadata event', async () => {
  bedrockMock.on(ConverseStreamCommand).resolves({
    stream: streamOf([
      { messageStart: { role: 'assistant' } },
      delta('Raise '),
      delta('keyRotation.'),
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      metadata,
    ]),
  });

  expect(await collect(provider.complete(request()))).toEqual({
    seen: [
      { type: 'delta', text: 'Raise ' },
      { type: 'delta', text: 'keyRotation.' },
      { type: 'usage', inputTokens: 42, outputTokens: 7 },
    ],
  });
});

test('sends the system prompt, the turns in order and the output limit, with the abort signal', async () => {
  bedrockMock.on(ConverseStreamCommand).resolves({ stream: streamOf([metadata]) });
  const abort = new AbortController();

  await collect(provider.complete(request(abort.signal)));

  const [call] = bedrockMock.commandCalls(ConverseStreamCommand);
  expect(call!.args[0].input).toEqual({
    modelId: MODEL,
    system: [{ text: 'You are the docs assistant.' }],
    messages: [
      { role: 'user', content: [{ text: 'Hi' }] },
      { role: 'assistant', content: [{ text: 'Hello!' }] },
      { role: 'user', content: [{ text: 'How do I rotate the key?' }] },
    ],
    inferenceConfig: { maxTokens: 512 },
  });
  expect((call!.args as unknown[])[1]).toEqual({ abortSignal: abort.signal });
});

test('an error event mid-stream fails the reply with an UpstreamError after the deltas already sent', async () => {
  bedrockMock.on(ConverseStreamCommand).resolves({
    stream: streamOf([
      delta('Raise '),
      {
        modelStreamErrorException: {
          name: 'ModelStreamErrorException',
          message: 'model crashed',
          $fault: 'client',
          $metadata: {},
        } as never,
      },
      delta('never'),
    ]),
  });

  const { seen, error } = await collect(provider.complete(request()));

  expect(seen).toEqual([{ type: 'delta', text: 'Raise ' }]);
  expect(error).toBeInstanceOf(UpstreamError);
  expect(error!.message).toBe(`bedrock ${MODEL}: model crashed`);
});

test('a stream that breaks (network) fails with an UpstreamError that keeps the cause', async () => {
  const broken = new Error('socket hang up');
  bedrockMock.on(ConverseStreamCommand).resolves({ stream: streamOf([delta('Raise ')], broken) });

  const { error } = await collect(provider.complete(request()));

  expect(error).toBeInstanceOf(UpstreamError);
  expect(error!.cause).toBe(broken);
});

test('a throttled request fails with an UpstreamError carrying the upstream status', async () => {
  bedrockMock
    .on(ConverseStreamCommand)
    .rejects(new ThrottlingException({ message: 'Too many requests', $metadata: { httpStatusCode: 429 } }));

  const { seen, error } = await collect(provider.complete(request()));

  expect(seen).toEqual([]);
  expect(error).toBeInstanceOf(UpstreamError);
  expect((error as UpstreamError).status).toBe(429);
});

test('an abort (the visitor left) is passed through as the abort, not as an upstream failure', async () => {
  const abort = new AbortController();
  const aborted = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
  bedrockMock.on(ConverseStreamCommand).resolves({ stream: streamOf([delta('Raise ')], aborted) });

  const { error } = await collect(
    (async function* () {
      for await (const event of provider.complete(request(abort.signal))) {
        abort.abort();
        yield event;
      }
    })(),
  );

  expect(error).toBe(aborted);
});

test('a response without a stream is an UpstreamError', async () => {
  bedrockMock.on(ConverseStreamCommand).resolves({});
  expect((await collect(provider.complete(request()))).error).toBeInstanceOf(UpstreamError);
});
