// What every network means by the same HTTP status or transport failure, sorted into the kinds of
// ChannelError once. Each adapter first checks the answers only its network gives (Graph codes
// 190 and 506, X's 403 for duplicate content, Mastodon's 422 for the character limit …) and hands
// the rest to these helpers, so a 503 or a lost connection means the same thing on every channel.

import { HOST_REFUSED_CODE, hostRefusedError } from '../security/outbound';
import { ChannelError, type ChannelErrorKind } from './channel';
import { isErrorLike, redact } from './redact';

/**
 * `send` may have created something visible when it fails without an answer; `read` never does;
 * `upload` creates only media nobody sees until a post uses them, so it is safe to repeat.
 */
export type Operation = 'send' | 'read' | 'upload';

/** Transport errors that happen before the request leaves the machine: safe to retry. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface StatusDetails {
  /** The network's error body (already redacted), kept for the attempt log. */
  body?: unknown;
  /** For a 429: until the exhausted limit resets, from the network's rate-limit headers. */
  resetMs?: number;
  /** For a 5xx: the Retry-After a server in maintenance sent. */
  retryAfterMs?: number;
}

/**
 * The statuses whose meaning no network changes: 401 expired or revoked credentials, 429 a rate
 * limit (retried after its reset), 5xx trouble on the server's side. Undefined for every other
 * status: what a 400, 403 or 422 means depends on the network's body, so the adapter decides.
 */
export function classifyHttpStatus(status: number, message: string, details: StatusDetails = {}): ChannelError | undefined {
  const options = { status, ...(details.body !== undefined ? { body: details.body } : {}) };
  if (status === 401) return new ChannelError('auth', 'AUTH_EXPIRED', message, options);
  if (status === 429) {
    return new ChannelError('retryable', 'RATE_LIMITED', message, { ...options, ...(details.resetMs !== undefined ? { retryAfterMs: details.resetMs } : {}) });
  }
  if (status >= 500) {
    return new ChannelError('retryable', 'SERVER_ERROR', message, { ...options, ...(details.retryAfterMs !== undefined ? { retryAfterMs: details.retryAfterMs } : {}) });
  }
  return undefined;
}

/** Any other refused request: the network will refuse it again, so it is never retried. */
export function permanentError(code: string, message: string, status: number, body?: unknown): ChannelError {
  return new ChannelError('permanent', code, message, { status, ...(body !== undefined ? { body } : {}) });
}

export interface TransportFailure {
  /** The network as messages name it: 'X', 'Mastodon', 'the Graph API' … */
  network: string;
  op: Operation;
  what: string;
  timeoutMs: number;
  /** Herold's own deadline struck before an answer came. */
  timedOut: boolean;
  /** The socket error code (ECONNREFUSED …), already redacted. */
  code?: string;
  /**
   * Whether the request certainly never left the machine. Adapters that watch the request being
   * written (WordPress) know it; otherwise it follows from the code (NOT_SENT_CODES).
   */
  notSent?: boolean;
  /** Added to the message when a read or upload may have arrived (e.g. an orphaned upload). */
  hint?: string;
}

/**
 * A request without a (complete) answer. Nothing sent: retry. A `send` that may have arrived:
 * unknown outcome, because the post may exist and re-sending blindly could publish it twice.
 * A read or upload that may have arrived: retry, nothing visible was created.
 */
export function classifyTransportError(f: TransportFailure): ChannelError {
  const code = f.code ?? 'unknown';
  // Herold's outbound policy refused the connection (src/security/outbound.ts): nothing left the
  // machine, and the same host will be refused again. Adapters that still hold the error report
  // its detail with hostRefusal(); this catches the ones that only kept the code.
  if (code === HOST_REFUSED_CODE) return hostRefusedError(`${f.network} (${f.what})`);
  const notSent = f.notSent ?? (!f.timedOut && NOT_SENT_CODES.has(code));
  if (notSent) {
    return new ChannelError('retryable', 'NETWORK_ERROR', `Could not reach ${f.network} (${code}) for ${f.what}; nothing was sent`);
  }
  const noAnswer = f.timedOut ? `No answer from ${f.network} within ${f.timeoutMs} ms` : `Connection to ${f.network} lost (${code})`;
  if (f.op === 'send') {
    return new ChannelError('unknown_outcome', 'TIMEOUT_AFTER_SEND', `${noAnswer} after sending ${f.what}; it may have been published`);
  }
  const verb = f.op === 'upload' ? 'uploading' : 'reading';
  return new ChannelError('retryable', f.timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', `${noAnswer} while ${verb} ${f.what}${f.hint ?? ''}`);
}

/** Neither an answer nor a known transport failure (a bug, a library surprise): sorted like a lost answer. */
export function classifyUnexpectedError(error: unknown, op: Operation, what: string, secrets: string[]): ChannelError {
  const detail = redact(isErrorLike(error) ? `${error.name}: ${error.message}` : String(error), secrets);
  const kind: ChannelErrorKind = op === 'send' ? 'unknown_outcome' : 'retryable';
  const verb = op === 'send' ? 'sending' : op === 'upload' ? 'uploading' : 'reading';
  return new ChannelError(kind, 'UNEXPECTED_ERROR', `Unexpected error while ${verb} ${what}: ${detail}`);
}

/**
 * The socket error code behind a failed request: Node's `code`, or undici's "fetch failed" with
 * the code in `cause` (an AggregateError when several addresses were tried). Duck-typed, because
 * the error may come from another realm (e.g. under jest), failing instanceof.
 */
export function socketErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    if (typeof current.code === 'string') return current.code;
    if (Array.isArray(current.errors) && isRecord(current.errors[0]) && typeof current.errors[0].code === 'string') {
      return current.errors[0].code;
    }
    current = current.cause;
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date, in ms (at least a second); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  const raw = value?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Math.max(1000, Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(1000, at - Date.now());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
