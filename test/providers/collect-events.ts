import type { CompletionEvent } from '../../functions/providers/model-provider';

/** Drains a provider's stream: the events it yielded, and the error that ended it, if any. */
export async function collect(
  events: AsyncIterable<CompletionEvent>,
): Promise<{ seen: CompletionEvent[]; error?: Error }> {
  const seen: CompletionEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { seen };
  } catch (error) {
    return { seen, error: error as Error };
  }
}
