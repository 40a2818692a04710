import type { Passage } from '../knowledge/passage';

/** A prompt turn as providers see it. */
export interface PromptTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface CompletionRequest {
  /** The system prompt, with the retrieved sources in it (`withSources`). */
  system: string;
  /** Oldest first; the last one is the visitor's new message. */
  turns: PromptTurn[];
  maxOutputTokens: number;
  signal: AbortSignal;
  /** The passages retrieved for this question, most relevant first (already in `system`). */
  sources?: readonly Passage[];
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** `cited`: exactly which sources the answer used (else the `[n]` markers in its text tell). */
export type CompletionEvent =
  | { type: 'delta'; text: string }
  | ({ type: 'usage' } & TokenUsage)
  | { type: 'cited'; indexes: number[] };

/**
 * One interface for every model binding: a stream of text deltas, then the token usage.
 * Abortable through the request's signal; a failure throws (the caller maps it to
 * `upstream_error` and gives the message's count back).
 */
export interface ModelProvider {
  complete(request: CompletionRequest): AsyncIterable<CompletionEvent>;
}

/** Rough token count (~4 characters a token) for providers that report none, and prompt budgets. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/** A provider failure, with the upstream status when there was one. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}
