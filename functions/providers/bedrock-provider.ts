import {
  type BedrockRuntimeClient,
  ConverseStreamCommand,
  type ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { type CompletionEvent, type CompletionRequest, type ModelProvider, UpstreamError } from './model-provider';

export interface BedrockProviderOptions {
  modelId: string;
  client: BedrockRuntimeClient;
}

/** Amazon Bedrock through ConverseStream (IAM auth; the function's role names the model). */
export function createBedrockProvider({ modelId, client }: BedrockProviderOptions): ModelProvider {
  return {
    async *complete({ system, turns, maxOutputTokens, signal }: CompletionRequest): AsyncIterable<CompletionEvent> {
      let response: ConverseStreamCommandOutput;
      try {
        response = await client.send(
          new ConverseStreamCommand({
            modelId,
            system: [{ text: system }],
            messages: turns.map((turn) => ({ role: turn.role, content: [{ text: turn.text }] })),
            inferenceConfig: { maxTokens: maxOutputTokens },
          }),
          { abortSignal: signal },
        );
      } catch (cause) {
        throw new UpstreamError(
          `bedrock ${modelId}: ${(cause as Error).message}`,
          (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
          { cause },
        );
      }
      if (!response.stream) throw new UpstreamError(`bedrock ${modelId}: no stream in response`);
      try {
        for await (const event of response.stream) {
          const text = event.contentBlockDelta?.delta?.text;
          if (text) yield { type: 'delta', text };
          const usage = event.metadata?.usage;
          if (usage)
            yield { type: 'usage', inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
          const failure =
            event.internalServerException ??
            event.modelStreamErrorException ??
            event.throttlingException ??
            event.validationException ??
            event.serviceUnavailableException;
          if (failure) throw new UpstreamError(`bedrock ${modelId}: ${failure.message}`);
        }
      } catch (cause) {
        if (cause instanceof UpstreamError || signal.aborted) throw cause;
        throw new UpstreamError(`bedrock ${modelId}: stream failed: ${(cause as Error).message}`, undefined, { cause });
      }
    },
  };
}
