import { type CompletionEvent, type CompletionRequest, type ModelProvider, UpstreamError } from './model-provider';

export interface OpenAiProviderOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

interface ChatCompletionChunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** Yields the `data:` payloads of a Server-Sent Events body, line by line. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('data:')) yield line.slice(5).trimStart();
    }
  }
}

/** Any OpenAI-compatible `/chat/completions` endpoint, streamed (`stream: true`). */
export function createOpenAiProvider({
  baseUrl,
  model,
  apiKey,
  fetch: fetchImpl = fetch,
}: OpenAiProviderOptions): ModelProvider {
  const url = `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    async *complete({ system, turns, maxOutputTokens, signal }: CompletionRequest): AsyncIterable<CompletionEvent> {
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'text/event-stream',
            ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
          },
          body: JSON.stringify({
            model,
            stream: true,
            stream_options: { include_usage: true },
            max_tokens: maxOutputTokens,
            messages: [{ role: 'system', content: system }, ...turns.map((t) => ({ role: t.role, content: t.text }))],
          }),
          signal,
        });
      } catch (cause) {
        if (signal.aborted) throw cause;
        throw new UpstreamError(`openai ${model}: request failed: ${(cause as Error).message}`, undefined, { cause });
      }
      if (!response.ok || !response.body) {
        const detail = (await response.text().catch(() => '')).slice(0, 200);
        throw new UpstreamError(`openai ${model}: HTTP ${response.status} ${detail}`, response.status);
      }
      let finished = false;
      let usage: { inputTokens: number; outputTokens: number } | undefined;
      try {
        for await (const data of sseData(response.body)) {
          if (data === '[DONE]') {
            finished = true;
            break;
          }
          const chunk = JSON.parse(data) as ChatCompletionChunk;
          const text = chunk.choices?.[0]?.delta?.content;
          if (text) yield { type: 'delta', text };
          if (chunk.usage)
            usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
        }
      } catch (cause) {
        if (signal.aborted) throw cause;
        throw new UpstreamError(`openai ${model}: stream failed: ${(cause as Error).message}`, undefined, { cause });
      }
      // A body that ends without [DONE] was cut off mid-way: the answer is incomplete.
      if (!finished) throw new UpstreamError(`openai ${model}: stream ended before [DONE]`);
      if (usage) yield { type: 'usage', ...usage };
    },
  };
}
