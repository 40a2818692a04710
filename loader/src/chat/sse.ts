export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body and calls `onEvent` for each event as it completes;
 * comments (`: ping`) and fields other than `event`/`data` are skipped. An error thrown by
 * `onEvent` stops reading and cancels the body.
 */
export async function readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ServerSentEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let finished = false;
  try {
    while (!finished) {
      const { done, value } = await reader.read();
      finished = done;
      buffer += decoder.decode(value, { stream: !done });
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = done ? '' : blocks.pop()!;
      for (const block of blocks) dispatch(block, onEvent);
    }
  } finally {
    if (!finished) reader.cancel().catch(() => undefined);
  }
}

function dispatch(block: string, onEvent: (event: ServerSentEvent) => void): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line[0] === ':') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length) onEvent({ event, data: data.join('\n') });
}
