// Plumbing shared by every simulated network (graph-, x-, mastodon-, wordpress-, bluesky-fake.ts):
// a plain node:http server with body parsing, a request log and a fault-injection queue. Each
// fake supplies only its routes and its network's error shapes. Handlers get the body twice:
// parsed (JSON or form fields) and as the raw bytes, because media uploads (multipart or a bare
// image body) must reach the fake byte for byte — decoding them as text would corrupt them.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fault the next matching request(s) will meet instead of (or on top of) a normal answer.
 * - `{status}`: answer with that HTTP status in the network's own error shape (each fake
 *   documents its mapping; 429 also sets the network's rate-limit headers).
 * - `{delayMs}`: process the request normally but only after the delay, as a slow server
 *   does. The request is processed even if the client gave up meanwhile.
 * - `{drop: true}`: close the connection without an answer. By default after processing
 *   (the post exists, the answer is lost); `beforeProcessing: true` drops it unprocessed.
 */
export type Fault = StatusFault | DelayFault | DropFault;

export interface StatusFault {
  status: number;
  /** For 429: seconds until the limit resets (default 900). */
  resetInSeconds?: number;
  /** Network-specific error code, e.g. Graph's 4/32 for throttling. */
  code?: number;
  /** Replaces the whole error body, for shapes the fake does not produce by itself. */
  body?: unknown;
}

export interface DelayFault {
  delayMs: number;
}

export interface DropFault {
  drop: true;
  beforeProcessing?: boolean;
}

/** Which requests a fault applies to; all fields optional. */
export interface FaultMatch {
  method?: string;
  /** Exact path (without query) or a pattern tested against it. */
  path?: string | RegExp;
  /** Let this many matching requests through untouched first (e.g. fail the 2nd thread part). */
  skip?: number;
}

interface FaultEntry {
  fault: Fault;
  remaining: number;
  skip: number;
  match: FaultMatch;
}

export class FaultQueue {
  private entries: FaultEntry[] = [];

  add(fault: Fault, times = 1, match: FaultMatch = {}): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be a positive integer');
    this.entries.push({ fault, remaining: times, skip: match.skip ?? 0, match });
  }

  /** The fault for this request, if any; consumes one use of it. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.entries.find((e) => matches(e.match, method, path));
    if (!entry) return undefined;
    if (entry.skip > 0) {
      entry.skip -= 1;
      return undefined;
    }
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries.splice(this.entries.indexOf(entry), 1);
    return entry.fault;
  }

  clear(): void {
    this.entries = [];
  }

  get pending(): number {
    return this.entries.reduce((sum, e) => sum + e.remaining, 0);
  }
}

function matches(match: FaultMatch, method: string, path: string): boolean {
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

export function isStatusFault(fault: Fault): fault is StatusFault {
  return 'status' in fault;
}

/** What a route handler sees: the body already parsed from JSON or a form, and its raw bytes. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON object or form fields; `{}` when there is no usable body. */
  body: Record<string, unknown>;
  /** True when a non-empty body could not be parsed (route decides how to answer). */
  bodyInvalid: boolean;
  /** The body exactly as received: multipart forms and binary uploads are read from here. */
  raw: Buffer;
  /** The caller's address, for limits counted per client. */
  remoteAddress: string;
}

export interface FakeResponse {
  status: number;
  /** A string is sent as it is (HTML pages of proxies, empty bodies); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json. */
  contentType?: string;
}

/** Request log entry: no query string and no headers, so no tokens end up in it. */
export interface LoggedRequest {
  method: string;
  path: string;
  status?: number;
  fault?: 'status' | 'delay' | 'drop';
  at: Date;
}

/** What is known of a request before its body is read: enough for extra log fields. */
export interface RequestHead {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string with its "?", or "". */
  search: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeServerOptions<L extends LoggedRequest = LoggedRequest> {
  port?: number;
  host?: string;
  handle(req: FakeRequest): FakeResponse | Promise<FakeResponse>;
  /** The network's answer to an injected `{status}` fault. */
  faultAnswer(fault: StatusFault, req: FakeRequest): FakeResponse;
  /** Answer for an exception inside `handle` (a bug in the fake): keep the network's shape. */
  internalError(req: FakeRequest): FakeResponse;
  /** Larger request bodies are answered with `tooLarge` (default 5 MiB). */
  maxBodyBytes?: number;
  /** The answer to a body over maxBodyBytes, as the network (or the proxy before it) gives it. */
  tooLarge?(): FakeResponse;
  /** Network-specific fields of a log entry (e.g. an Idempotency-Key); never credentials. */
  logFields?(head: RequestHead): Omit<L, keyof LoggedRequest>;
}

export interface FakeServer<L extends LoggedRequest = LoggedRequest> {
  url: string;
  faults: FaultQueue;
  /** The most recent requests (up to 1,000), oldest first. */
  readonly requests: L[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const MAX_LOG = 1000;

export async function startFakeServer<L extends LoggedRequest = LoggedRequest>(opts: FakeServerOptions<L>): Promise<FakeServer<L>> {
  const faults = new FaultQueue();
  const requests: L[] = [];
  const sockets = new Set<Socket>();
  // Delayed answers wait on these; close() cancels them so tests and the demo shut down at once.
  const pendingDelays = new Set<() => void>();
  let closing = false;

  const log = (entry: L): void => {
    requests.push(entry);
    if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
  };

  const wait = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const done = (completed: boolean): void => {
        clearTimeout(timer);
        pendingDelays.delete(cancel);
        resolve(completed);
      };
      const cancel = (): void => done(false);
      const timer = setTimeout(() => done(true), ms);
      pendingDelays.add(cancel);
    });

  const server = http.createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const head: RequestHead = { method, path: url.pathname, query: url.searchParams, search: url.search, headers: req.headers };
    const entry = { ...opts.logFields?.(head), method, path: url.pathname, at: new Date() } as L;
    log(entry);

    let raw: Buffer | null;
    try {
      raw = await readRawBody(req, opts.maxBodyBytes ?? MAX_BODY_BYTES);
    } catch {
      return; // the client went away mid-body
    }
    if (raw === null) {
      const answer = opts.tooLarge?.() ?? { status: 413, body: { error: 'Request body too large' } };
      entry.status = answer.status;
      send(res, answer);
      return;
    }
    const parsed = parseBody(req.headers['content-type'], raw.toString('utf8'));
    const fakeReq: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parsed.body,
      bodyInvalid: parsed.invalid,
      raw,
      remoteAddress: req.socket.remoteAddress ?? 'unknown',
    };

    const fault = faults.take(method, url.pathname);
    if (fault && 'drop' in fault && fault.beforeProcessing) {
      entry.fault = 'drop';
      req.socket.destroy();
      return;
    }
    if (fault && 'delayMs' in fault) {
      entry.fault = 'delay';
      const completed = await wait(fault.delayMs);
      if (!completed) return; // the fake is closing
    }

    let answer: FakeResponse;
    if (fault && isStatusFault(fault)) {
      entry.fault = 'status';
      answer = opts.faultAnswer(fault, fakeReq);
    } else {
      try {
        answer = await opts.handle(fakeReq);
      } catch {
        answer = opts.internalError(fakeReq);
      }
    }
    entry.status = answer.status;

    if (fault && 'drop' in fault) {
      entry.fault = 'drop';
      req.socket.destroy();
      return;
    }
    if (closing || res.destroyed || req.socket.destroyed) return; // the client gave up
    send(res, answer);
  }

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    faults,
    requests,
    close: async () => {
      if (closing) return;
      closing = true;
      for (const cancel of [...pendingDelays]) cancel();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets of SDK clients would otherwise hold close() open.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function send(res: http.ServerResponse, answer: FakeResponse): void {
  const payload = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': answer.contentType ?? 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...answer.headers,
  });
  res.end(payload);
}

/**
 * The whole body, or null when it is larger than `limit`. An oversized body is still read to the
 * end, so the client gets the 413 instead of a reset connection (as nginx in front of a site does).
 */
export function readRawBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('aborted'));
    });
  });
}

/** The body as UTF-8 text; rejects when it is larger than `limit`. */
export async function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const raw = await readRawBody(req, limit);
  if (raw === null) throw new Error('body too large');
  return raw.toString('utf8');
}

/** JSON objects and url-encoded forms; anything else (e.g. multipart) yields no fields. */
export function parseBody(
  contentType: string | undefined,
  raw: string,
): { body: Record<string, unknown>; invalid: boolean } {
  if (raw.trim() === '') return { body: {}, invalid: false };
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    return { body: Object.fromEntries(new URLSearchParams(raw)), invalid: false };
  }
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    try {
      const value: unknown = JSON.parse(raw);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return { body: value as Record<string, unknown>, invalid: false };
      }
    } catch {
      // fall through: reported as invalid
    }
    return { body: {}, invalid: true };
  }
  return { body: {}, invalid: false };
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface MultipartForm {
  /** Text fields; a name may repeat (`media_ids[]`). */
  fields: Map<string, string[]>;
  /** Files, the first per name, with their bytes untouched. */
  files: Map<string, UploadedFile>;
}

/** A small multipart/form-data reader over the raw bytes; undefined when the body is not one. */
export function parseMultipart(raw: Buffer, contentType: string): MultipartForm | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundaryText = match?.[1] ?? match?.[2];
  if (!boundaryText) return undefined;
  const boundary = Buffer.from(`--${boundaryText}`);
  const fields = new Map<string, string[]>();
  const files = new Map<string, UploadedFile>();
  let at = raw.indexOf(boundary);
  if (at < 0) return undefined;
  while (at >= 0) {
    const start = at + boundary.length;
    if (raw.subarray(start, start + 2).toString() === '--') break; // closing boundary
    const next = raw.indexOf(boundary, start);
    if (next < 0) return undefined;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF, next boundary.
    const part = raw.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) return undefined;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const partType = /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim();
    if (name !== undefined) {
      // A part with a filename or its own Content-Type is a file (twitter-api-v2 sends bytes
      // without a filename, as application/octet-stream); plain text fields carry neither.
      if (filename !== undefined || partType !== undefined) {
        const file = { filename: filename ?? 'blob', contentType: (partType ?? 'application/octet-stream').toLowerCase(), bytes: Buffer.from(content) };
        if (!files.has(name)) files.set(name, file);
      } else {
        fields.set(name, [...(fields.get(name) ?? []), content.toString('utf8')]);
      }
    }
    at = next;
  }
  return { fields, files };
}

/**
 * Fake ids that grow with time like the real ones, so "newest first" sorts by id.
 * `fromMillis` shapes the number (Graph-like by default; the X fake passes a snowflake).
 */
export function createIdSource(fromMillis: (ms: bigint) => bigint = (ms) => ms * 1000n): () => bigint {
  let last = 0n;
  return () => {
    let next = fromMillis(BigInt(Date.now()));
    if (next <= last) next = last + 1n;
    last = next;
    return next;
  };
}
