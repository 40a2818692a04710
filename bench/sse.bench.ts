import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompletionEvent, ModelProvider } from '../functions/providers/model-provider';
import { MEASURED } from '../infra/cost/measured';
import { comparedToCostFigure, durationRow, percentile } from './figures';
import { faqConfig, sendMessage, serveLocally, startBenchTable, startSession } from './local-perch';

const TARGET_MS = 5;
const RUNS = Number(process.env.PERCH_BENCH_SSE_RUNS ?? 200);
const WARM_UP = 20;

/** A promise with its resolver outside (Promise.withResolvers is ES2024: not in Node 20 or our `lib`). */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const newTurn = () => ({ waiting: deferred(), emit: deferred(), finish: deferred() });

/**
 * A model whose first token comes when the bench says so: each call tells `waiting` that the
 * route awaits the model, yields one delta on `emit`, and ends on `finish`. Ending only once the
 * client has read the delta (a real model's next token comes later too) keeps the reply's last
 * DynamoDB writes out of the figure: dynalite runs in this process, on the client's event loop.
 */
function createTokenOnSignal() {
  let next = newTurn();
  const provider: ModelProvider = {
    async *complete(): AsyncIterable<CompletionEvent> {
      const turn = next;
      turn.waiting.resolve();
      await turn.emit.promise;
      yield { type: 'delta', text: 'Raise' };
      await turn.finish.promise;
      yield { type: 'usage', inputTokens: 20, outputTokens: 1 };
    },
  };
  return {
    provider,
    /** Arms the next model call: `waiting` once the route awaits it, `emit()` its token, `finish()` its end. */
    arm: () => {
      next = newTurn();
      return { waiting: next.waiting.promise, emit: next.emit.resolve, finish: next.finish.resolve };
    },
  };
}

const DELTA_EVENT = /event: delta\ndata: [^\n]*\n\n/;

/** Reads the body until a whole `delta` event is in (what the widget's SSE parser needs to show it); returns it. */
async function readUntilDelta(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!DELTA_EVENT.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before a delta: ${JSON.stringify(text)}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** Reads the rest of the body; returns its size in bytes. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<number> {
  let bytes = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.length;
  return bytes;
}

/**
 * SSE first byte after the model's first token (issue 10): a provider yields a token when the
 * bench signals it, and the time runs from that signal until the HTTP client has read the
 * `delta` event through the local adapter (edge, middy, the streaming adapter, Node HTTP). Each
 * run starts once the response head is in and the route awaits the model, so the session, the
 * limits and DynamoDB are not in the figure. Beside it, a bare Node server that writes the
 * same event on the same signal: the floor of loopback HTTP in this process.
 */
export default async function sseBench(): Promise<void> {
  const model = createTokenOnSignal();
  const bench = await startBenchTable(faqConfig({ 'docs-bot': {} }));
  const perch = await serveLocally(bench.deps, {
    messages: { resolveProvider: async () => ({ ready: true, provider: model.provider, maxOutputTokens: 64 }) },
  });
  let bareToken = deferred();
  const bare = createServer(async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.flushHeaders();
    await bareToken.promise;
    res.end('event: delta\ndata: {"text":"Raise"}\n\n');
  });
  await new Promise<void>((done) => bare.listen(0, '127.0.0.1', done));
  try {
    const session = await startSession(perch.url, bench.publicKey('docs-bot'));
    let replyBytes = { besidesDeltas: 0, perDelta: 0 };
    const perchOnce = async () => {
      const turn = model.arm();
      const response = await sendMessage(perch.url, session, 'text/event-stream');
      if (response.status !== 200) throw new Error(`message: ${response.status} ${await response.text()}`);
      const reader = response.body!.getReader();
      await turn.waiting;
      const started = performance.now();
      turn.emit();
      const head = await readUntilDelta(reader);
      const elapsed = performance.now() - started;
      turn.finish();
      // The done event, and the turns stored before the next message claims the session.
      const rest = await drain(reader);
      // The reply's one delta carries 'Raise': what a longer reply adds per delta is the event less its text.
      const delta = Buffer.byteLength(DELTA_EVENT.exec(head)![0]);
      replyBytes = { besidesDeltas: Buffer.byteLength(head) + rest - delta, perDelta: delta - 'Raise'.length };
      return elapsed;
    };
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    const bareOnce = async () => {
      bareToken = deferred();
      const response = await fetch(bareUrl);
      const reader = response.body!.getReader();
      const started = performance.now();
      bareToken.resolve();
      await readUntilDelta(reader);
      const elapsed = performance.now() - started;
      await drain(reader);
      return elapsed;
    };

    const perchMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < WARM_UP; i++) await Promise.all([perchOnce(), bareOnce()]);
    for (let i = 0; i < RUNS; i++) {
      perchMs.push(await perchOnce()); // interleaved: both see the same machine state
      bareMs.push(await bareOnce());
    }
    const met = (p: number) => (percentile(perchMs, p) <= TARGET_MS ? 'met' : 'not met');
    console.log(`SSE first byte after the model's first token, local adapter, ${RUNS} sequential messages:`);
    console.log(durationRow('perch message route (SSE)', perchMs, 'token yielded → client has read the delta'));
    console.log(durationRow('bare node http', bareMs, 'write on the signal → client has read it'));
    console.log(`  target ≤ ${TARGET_MS} ms: ${met(50)} at the median, ${met(95)} at p95`);
    const figure = MEASURED.replyBytes;
    const besides = comparedToCostFigure(replyBytes.besidesDeltas, figure.besidesDeltas);
    const perDelta = comparedToCostFigure(replyBytes.perDelta, figure.perDelta);
    console.log(`  reply body: ${replyBytes.besidesDeltas} B besides its deltas (${besides}),`);
    console.log(`  ${replyBytes.perDelta} B per delta beyond its text (${perDelta})`);
  } finally {
    await new Promise<void>((done) => {
      bare.close(() => done());
      bare.closeAllConnections();
    });
    await perch.close();
    await bench.close();
  }
}
