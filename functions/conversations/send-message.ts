import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PerchError } from '../errors/perch-error';
import { widgetBySession } from '../http/admission';
import { createEdgeRoute, describeError, type StreamingApiResponse } from '../http/edge';
import { jsonResponse } from '../http/response';
import type { KnowledgeLoader } from '../knowledge/knowledge-loader';
import { type KnowledgeSource, type Passage, sourceOf } from '../knowledge/passage';
import { retrievePassages } from '../knowledge/retrieve';
import { citedPassages, withSources } from '../knowledge/sources-prompt';
import { type Admission, admitMessage, refundMessage } from '../limits/admit-message';
import type { UsageCounters } from '../limits/usage-counters';
import { visitorHash } from '../limits/visitor';
import type { Logger } from '../logging/logger';
import type { PerchMetrics } from '../metrics/widget-metrics';
import { estimateTokens, type TokenUsage } from '../providers/model-provider';
import { type ProviderResolution, replyCost } from '../providers/resolve-provider';
import type { WidgetRecord } from '../records/table';
import { ORIGIN_READ_TIMEOUT_SECONDS } from '../routes';
import type { AuthorizedSession } from '../sessions/authorize-session';
import {
  expirySeconds,
  orderedTurns,
  type SessionRecord,
  type SessionStore,
  type Turn,
} from '../sessions/session-record';
import type { SessionKeys } from '../sessions/signing-secret';
import { visitorLanguage } from '../texts/language';
import { utcDay } from '../usage/day';
import { buildPrompt, type Prompt } from './prompt';
import { createSseStream, formatSseEvent } from './sse';

export const MAX_MESSAGE_CHARS = 4000;
/** The upstream model call's limit. */
const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * In JSON mode the first byte is the whole answer, so the model gets only until this long after
 * the request began: what is left of the origin read timeout covers storing the turns and the way
 * back, and a visitor never gets CloudFront's 504 for a turn that was stored and charged.
 */
export const JSON_REPLY_DEADLINE_MS = (ORIGIN_READ_TIMEOUT_SECONDS - 15) * 1000;
/** How long past the model's timeout a claimed session stays claimed (storing the turns). */
const CLAIM_MARGIN_MS = 15_000;

export const messageBodySchema = z.strictObject({ text: z.string().check(z.maxLength(MAX_MESSAGE_CHARS)) });

export interface MessageRouteOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  sessions: SessionStore;
  findWidget: (widgetId: string) => Promise<WidgetRecord | undefined>;
  loadKeys: () => Promise<SessionKeys>;
  resolveProvider: (widget: WidgetRecord) => Promise<ProviderResolution>;
  /** The widget's knowledge bases, loaded once per digest. */
  loadKnowledge: KnowledgeLoader;
  counters: UsageCounters;
  now?: () => number;
  /** Upstream model call limit. */
  timeoutMs?: number;
  /** JSON mode: the model call ends this long after the request began (JSON_REPLY_DEADLINE_MS). */
  jsonDeadlineMs?: number;
  heartbeatMs?: number;
  logger?: Pick<Logger, 'error'>;
  metrics?: PerchMetrics;
}

interface Reply {
  messageId: string;
  text: string;
  usage: TokenUsage;
  sources: KnowledgeSource[];
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

/** `POST /v1/sessions/{id}/messages`: one visitor turn, answered as SSE or JSON. */
export function createMessageRoute(options: MessageRouteOptions) {
  const { sessions, findWidget, loadKeys, resolveProvider, loadKnowledge, counters, now = Date.now, logger } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const jsonDeadlineMs = options.jsonDeadlineMs ?? JSON_REPLY_DEADLINE_MS;
  const admission = widgetBySession(messageBodySchema, { sessions, findWidget, loadKeys, now });
  return createEdgeRoute<AdmittedMessage, StreamingApiResponse>(
    'messages',
    admission,
    async (auth, request, edge) => {
      const { widget, keys, at: started } = auth;
      const replyId = randomUUID();
      let claimed: SessionRecord | undefined;
      let admission: Admission;
      let resolution: Extract<ProviderResolution, { ready: true }>;
      let prompt: Prompt;
      let passages: Passage[];
      const text = auth.body.text.trim();
      try {
        if (text === '') throw new PerchError('bad_request', { message: 'text: must not be empty' });
        const resolved = await resolveProvider(widget);
        if (!resolved.ready) {
          logger?.error('bot not ready', { widgetId: widget.widgetId, reason: resolved.reason });
          throw new PerchError('bot_not_ready');
        }
        resolution = resolved;
        const knowledge = await loadKnowledge(widget.knowledge);
        if (!knowledge.ready) {
          logger?.error('bot not ready', { widgetId: widget.widgetId, reason: knowledge.reason });
          throw new PerchError('bot_not_ready');
        }
        passages = retrievePassages(knowledge.bases, text);
        // Held past the model's timeout, so only a reply whose function died loses it, to its expiry.
        claimed = await sessions.claim(auth.session.sessionId, replyId, started, started + timeoutMs + CLAIM_MARGIN_MS);
        if (!claimed) throw new PerchError('session_busy');
        prompt = withSources(buildPrompt(widget.systemPrompt, orderedTurns(claimed), text), passages);
        const worstCase = { inputTokens: promptTokens(prompt), outputTokens: resolution.maxOutputTokens };
        admission = await admitMessage({
          doc: options.doc,
          table: options.table,
          widgetId: widget.widgetId,
          limits: widget.limits,
          visitor: visitorHash(keys.visitorSalt, claimed.sub ? { sub: claimed.sub } : request, utcDay(started)),
          now: started,
          reserveUsd: replyCost(resolution.pricing, worstCase),
        });
      } catch (error) {
        if (claimed) await sessions.release(claimed.sessionId, replyId);
        throw error;
      }
      const session = claimed;
      const reply = (signal: AbortSignal, onDelta: (text: string) => void, modelTimeoutMs = timeoutMs) =>
        runReply({
          ...options,
          timeoutMs: modelTimeoutMs,
          auth: { ...auth, session },
          replyId,
          prompt,
          passages,
          text,
          resolution,
          admission,
          signal,
          onDelta,
          started,
        });

      const accept = request.headers.accept ?? '';
      if (accept.includes('application/json') && !accept.includes('text/event-stream')) {
        const left = Math.max(0, started + jsonDeadlineMs - now());
        return jsonResponse(200, await reply(request.signal, () => undefined, Math.min(timeoutMs, left)));
      }
      const body = createSseStream(
        async (write, signal) => {
          try {
            const answer = await reply(signal, (delta) => write(formatSseEvent('delta', { text: delta })));
            const { messageId, usage, sources } = answer;
            write(formatSseEvent('done', { messageId, usage, sources }));
          } catch (error) {
            if (signal.aborted) return;
            const known = error instanceof PerchError ? error : new PerchError('upstream_error', { cause: error });
            const { texts } = visitorLanguage(known.language ?? widget, request.headers['accept-language']);
            write(formatSseEvent('error', { code: known.code, message: known.messageIn(texts) }));
            await edge.refused(known);
          }
        },
        { heartbeatMs: options.heartbeatMs, logger },
      );
      return { status: 200, headers: SSE_HEADERS, body };
    },
    { counters, now, logger },
  );
}

type AdmittedMessage = AuthorizedSession & { body: { text: string }; keys: SessionKeys; at: number };

interface RunReplyOptions extends MessageRouteOptions {
  auth: AuthorizedSession;
  replyId: string;
  prompt: Prompt;
  passages: Passage[];
  text: string;
  resolution: Extract<ProviderResolution, { ready: true }>;
  admission: Admission;
  signal: AbortSignal;
  onDelta: (text: string) => void;
  started: number;
}

const promptTokens = (prompt: Prompt) =>
  estimateTokens(prompt.system) + prompt.turns.reduce((n, t) => n + estimateTokens(t.text), 0);

/**
 * Streams the model's answer; on success stores both turns and settles the usage (reported,
 * else estimated) against the admission's reservation. Any failure but the visitor leaving gives
 * the message's count back; every failure gives the session back.
 */
async function runReply(o: RunReplyOptions): Promise<Reply> {
  const { auth, resolution, admission, counters, prompt, logger, metrics } = o;
  const { widget, session } = auth;
  const clock = o.now ?? Date.now;
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS)]);
  const settle = (usage: TokenUsage) =>
    counters.replied(admission, { ...usage, costUsd: replyCost(resolution.pricing, usage) });
  let answer = '';
  let usage: TokenUsage | undefined;
  let cited: Passage[] | undefined;
  const called = clock();
  let firstToken: number | undefined;
  try {
    for await (const event of resolution.provider.complete({
      ...prompt,
      maxOutputTokens: resolution.maxOutputTokens,
      signal,
      sources: o.passages,
    })) {
      if (event.type === 'delta') {
        firstToken ??= clock();
        answer += event.text;
        o.onDelta(event.text);
      } else if (event.type === 'cited') cited = event.indexes.flatMap((i) => o.passages[i] ?? []);
      else usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
    }
  } catch (cause) {
    // A call cut short (visitor gone, timeout) or that wrote something was paid for; an upstream
    // that refused at once (an HTTP error, no connection) bills nothing.
    const paid = signal.aborted || answer !== '' || usage !== undefined;
    const spent = usage ?? { inputTokens: paid ? promptTokens(prompt) : 0, outputTokens: estimateTokens(answer) };
    const charged = settle(spent);
    const released = o.sessions.release(session.sessionId, o.replyId);
    if (o.signal.aborted) {
      await Promise.all([charged, released]);
      throw cause; // the visitor left: the count stays, nothing more to say
    }
    logger?.error('upstream failed', { widgetId: widget.widgetId, error: describeError(cause) });
    metrics?.widget(widget.widgetId, { upstreamErrors: 1 });
    await Promise.all([charged, released, refundMessage(o.doc, o.table, admission)]);
    throw new PerchError('upstream_error', { cause });
  }
  const finalUsage = usage ?? { inputTokens: promptTokens(prompt), outputTokens: estimateTokens(answer) };
  const at = clock();
  const sources = (cited ?? citedPassages(answer, o.passages)).map(sourceOf);
  const turns: Turn[] = [
    { id: randomUUID(), role: 'visitor', text: o.text, at: o.started },
    {
      id: randomUUID(),
      role: 'assistant',
      text: answer,
      at: Math.max(at, o.started + 1),
      ...(sources.length > 0 && { sources }),
    },
  ];
  const [stored, settled] = await Promise.allSettled([
    o.sessions.appendTurns(session, o.replyId, turns, expirySeconds(at, widget.retentionDays)),
    settle(finalUsage),
  ]);
  const failure = [stored, settled].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // A 5xx after admission gives the count back (the cost stays: the model was paid).
    await Promise.allSettled([
      refundMessage(o.doc, o.table, admission),
      o.sessions.release(session.sessionId, o.replyId),
    ]);
    throw failure.reason;
  }
  metrics?.widget(widget.widgetId, {
    messages: 1,
    inputTokens: finalUsage.inputTokens,
    outputTokens: finalUsage.outputTokens,
    costUsd: replyCost(resolution.pricing, finalUsage),
    dayCostUsd: (settled as PromiseFulfilledResult<number>).value,
    timeToFirstTokenMs: firstToken === undefined ? undefined : firstToken - called,
  });
  return { messageId: turns[1]!.id, text: answer, usage: finalUsage, sources };
}
