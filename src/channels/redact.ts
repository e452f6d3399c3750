// Credentials must never reach a log line, an attempt record or a ChannelError message.
// SDK errors carry them in places that are easy to forget: the Graph SDK puts the page token
// into FacebookRequestError.url, twitter-api-v2 keeps the signed request (Authorization
// header) on its errors. These helpers turn such values into safe text and data.

const MASK = '[REDACTED]';

// Parameter names whose values are credentials, in URLs, forms and `key=value` text.
const SECRET_PARAMS =
  'access_token|input_token|client_secret|appsecret_proof|refresh_token|code_verifier|oauth_token|oauth_token_secret|oauth_signature|oauth_consumer_key|oauth_verifier|password';

const PATTERNS: [RegExp, string][] = [
  [new RegExp(`\\b(${SECRET_PARAMS})=([^&\\s"'<>]+)`, 'gi'), `$1=${MASK}`],
  [new RegExp(`("(?:${SECRET_PARAMS}|accessToken|accessSecret|appSecret|pageAccessToken|bearerToken)"\\s*:\\s*")[^"]*"`, 'gi'), `$1${MASK}"`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, `$1 ${MASK}`],
  [/\b(oauth_[a-z_]+)="[^"]*"/gi, `$1="${MASK}"`],
  // Facebook user and page tokens start with EAA and are long: catch them even when unlabelled.
  [/\bEAA[A-Za-z0-9]{20,}/g, MASK],
];

// Object keys whose values are dropped wholesale by redactValue.
const SECRET_KEY = /token|secret|password|authorization|cookie|signature|credential/i;

type Secrets = readonly (string | null | undefined)[];

/** `text` with every given secret (raw and URL-encoded) and every token-looking parameter masked. */
export function redact(text: string, secrets: Secrets = []): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  const known = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) {
    out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A plain-data copy of `value` that is safe to log or store: strings redacted, credential-named
 * keys masked, functions and class internals (sockets, requests) left out, cycles cut.
 */
export function redactValue(value: unknown, secrets: Secrets = [], depth = 6): unknown {
  return copy(value, secrets, depth, new WeakSet());
}

function copy(value: unknown, secrets: Secrets, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (seen.has(value) || depth <= 0) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => copy(v, secrets, depth - 1, seen));
  // Only plain data: an http.ClientRequest or Socket has nothing a log needs, and holds headers.
  if (!isPlainObject(value) && !isErrorLike(value) && !isHeaderBag(value)) {
    return `[${value.constructor?.name ?? 'object'}]`;
  }
  const out: Record<string, unknown> = {};
  if (isErrorLike(value)) {
    // Not enumerable, so Object.entries below would miss them.
    out.name = value.name;
    out.message = redact(value.message, secrets);
  }
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) {
      out[key] = MASK;
      continue;
    }
    const copied = copy(v, secrets, depth - 1, seen);
    if (copied !== undefined) out[key] = copied;
  }
  return out;
}

/**
 * Errors and plain objects are recognised without instanceof: they may come from another realm
 * (Node core errors under jest, for instance), where instanceof fails.
 */
export function isErrorLike(value: unknown): value is Error {
  // instanceof still catches same-realm errors built without the Error constructor (the Graph SDK's).
  return Object.prototype.toString.call(value) === '[object Error]' || value instanceof Error;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** axios' AxiosHeaders is a class but only holds header values. */
function isHeaderBag(value: object): boolean {
  return value.constructor?.name === 'AxiosHeaders';
}

export interface SafeErrorSummary {
  name: string;
  message: string;
  code?: string | number;
  status?: number;
  url?: string;
}

/** Name, message, code, status and URL of any thrown value, redacted: for logs. */
export function describeError(error: unknown, secrets: Secrets = []): SafeErrorSummary {
  if (typeof error !== 'object' || error === null) {
    return { name: 'Error', message: redact(String(error), secrets) };
  }
  const e = error as Partial<Record<'name' | 'message' | 'code' | 'status' | 'url', unknown>>;
  const summary: SafeErrorSummary = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? redact(e.message, secrets) : '(no message)',
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') summary.code = e.code;
  if (typeof e.status === 'number') summary.status = e.status;
  if (typeof e.url === 'string') summary.url = redact(e.url, secrets);
  return summary;
}
