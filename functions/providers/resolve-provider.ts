import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Pricing, WidgetRecord } from '../records/table';
import { createSecretCache } from '../secrets/secret-cache';
import type { SecretFetcher } from '../sessions/signing-secret';
import { createFaqProvider } from './faq-provider';
import type { ModelProvider, TokenUsage } from './model-provider';
import { createOpenAiProvider } from './openai-provider';

export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;

export type ProviderResolution =
  | { ready: true; provider: ModelProvider; maxOutputTokens: number; pricing?: Pricing }
  | { ready: false; reason: string };

export interface ProviderResolverOptions {
  env?: NodeJS.ProcessEnv;
  fetchSecret: SecretFetcher;
  /** Builds a Bedrock client for a region (the SDK is only loaded where a Bedrock model is used). */
  bedrockClient?: (region: string | undefined) => Promise<BedrockRuntimeClient>;
  fetch?: typeof fetch;
}

/** Estimated cost in USD of one reply, from the binding's pricing per million tokens. */
export function replyCost(pricing: Pricing | undefined, usage: TokenUsage): number {
  if (!pricing) return 0;
  return (usage.inputTokens * pricing.inputPerMTok + usage.outputTokens * pricing.outputPerMTok) / 1_000_000;
}

async function defaultBedrockClient(region: string | undefined): Promise<BedrockRuntimeClient> {
  const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime');
  return new BedrockRuntimeClient(region ? { region } : {});
}

/**
 * Turns a widget's model binding into a provider, or says why it cannot serve (missing API
 * key, unreadable secret, unknown provider) so the widget answers `bot_not_ready`. API keys
 * and clients are resolved once per cold start; a failed secret read is retried next time.
 */
export function createProviderResolver({
  env = process.env,
  fetchSecret,
  bedrockClient = defaultBedrockClient,
  fetch: fetchImpl,
}: ProviderResolverOptions): (widget: WidgetRecord) => Promise<ProviderResolution> {
  const readSecret = createSecretCache(fetchSecret);
  const bedrockClients = new Map<string, Promise<BedrockRuntimeClient>>();

  return async (widget) => {
    const binding = widget.model;
    switch (binding.provider) {
      case 'faq':
        return {
          ready: true,
          provider: createFaqProvider({ faq: widget.faq, streamDelayMs: binding.streamDelayMs }),
          maxOutputTokens: DEFAULT_MAX_OUTPUT_TOKENS,
        };
      case 'bedrock': {
        const region = binding.region ?? '';
        if (!bedrockClients.has(region)) bedrockClients.set(region, bedrockClient(binding.region));
        const { createBedrockProvider } = await import('./bedrock-provider');
        return {
          ready: true,
          provider: createBedrockProvider({ modelId: binding.modelId, client: await bedrockClients.get(region)! }),
          maxOutputTokens: binding.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
          pricing: binding.pricing,
        };
      }
      case 'openai': {
        let apiKey: string | undefined;
        if (binding.apiKeyEnv && env[binding.apiKeyEnv]) apiKey = env[binding.apiKeyEnv];
        else if (binding.apiKeySecret) {
          try {
            apiKey = await readSecret(binding.apiKeySecret);
          } catch (error) {
            return {
              ready: false,
              reason: `API key secret ${binding.apiKeySecret} unreadable: ${(error as Error).message}`,
            };
          }
        } else if (binding.apiKeyEnv) {
          return { ready: false, reason: `environment variable ${binding.apiKeyEnv} is not set` };
        }
        return {
          ready: true,
          provider: createOpenAiProvider({ baseUrl: binding.baseUrl, model: binding.model, apiKey, fetch: fetchImpl }),
          maxOutputTokens: binding.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
          pricing: binding.pricing,
        };
      }
      default:
        // A hand-edited or newer record: refuse rather than guess.
        return {
          ready: false,
          reason: `unknown model provider ${JSON.stringify((binding as { provider?: unknown }).provider)}`,
        };
    }
  };
}
