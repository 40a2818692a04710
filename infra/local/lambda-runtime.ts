import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';

const STREAMING = Symbol.for('perch.local.streaming');

export type StreamingHandler = (event: unknown, stream: LocalResponseStream, context: Context) => Promise<void>;
export type BufferedHandler = (event: unknown, context: Context) => Promise<unknown>;

interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
}

/**
 * The response stream a `streamifyResponse` handler writes to: forwards bytes to the HTTP
 * response as they come, like Lambda's streaming runtime, and is destroyed if the client leaves.
 */
export class LocalResponseStream extends Writable {
  private headSent = false;

  constructor(private readonly res: ServerResponse) {
    super();
    // Destroyed without an error: middy pipes into this stream only once the handler resolved,
    // so an 'error' now would have no listener; the pipeline sees a premature close and then
    // destroys the handler's body (an SSE stream aborts its model call).
    const leave = () => {
      if (!res.writableFinished) this.destroy();
    };
    if (res.destroyed) leave();
    else res.once('close', leave);
  }

  setPrelude({ statusCode = 200, headers = {} }: Prelude): void {
    if (this.headSent) return;
    this.headSent = true;
    this.res.writeHead(statusCode, headers);
    this.res.flushHeaders();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.setPrelude({});
    this.res.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.setPrelude({});
    this.res.end(callback);
  }
}

/**
 * Installs the `awslambda` global that Lambda's Node.js runtime provides, so the same
 * streaming handler modules load and run under the local server.
 */
export function installLambdaGlobals(): void {
  // The AWS SDK itself creates an empty `awslambda` object (for its InvokeStore): fill it in.
  const globals = globalThis as { awslambda?: Record<string, unknown> };
  const runtime = (globals.awslambda ??= {});
  runtime.streamifyResponse ??= (handler: StreamingHandler) => Object.assign(handler, { [STREAMING]: true });
  runtime.HttpResponseStream ??= {
    from: (stream: LocalResponseStream, prelude: Prelude) => {
      stream.setPrelude(prelude);
      return stream;
    },
  };
}

export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === true;
}

/** A Lambda context good enough for middy and the handlers (30 s, like the API's timeout). */
export function localContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
