// Configuration is read once at start-up and fails loudly, listing every bad key at once.
import { createHash } from 'node:crypto';
import { invalidRanges, type PrivateHostAllowance } from '../src/security/outbound';
import { DEFAULTS } from './defaults';

export interface Config {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  host: string;
  sweepSeconds: number;
  publicUrl: string;
  /** 32-byte keys by id; the first is used for new values, all of them can decrypt. */
  secretKeys: { id: string; key: Buffer }[];
  workerConcurrency: number;
  /** PostgreSQL connections per process (HEROLD_DB_POOL_SIZE, or derived from the concurrency). */
  dbPoolSize: number;
  publishAttempts: number;
  retryBaseMs: number;
  stalePublishingSeconds: number;
  sessionHours: number;
  logLevel: string;
  bodyLimitBytes: number;
  /** Whether images may be fetched from private, loopback or link-local addresses. */
  allowPrivateMedia: boolean;
  /** Whether channel hosts may be private, loopback or link-local addresses (all or some). */
  allowPrivateHosts: PrivateHostAllowance;
  /** Fastify's trustProxy: the proxies whose X-Forwarded-* headers are believed; [] for none. */
  trustProxy: string[];
  /** Bearer token for GET /metrics; null: loopback only. */
  metricsToken: string | null;
  /** True when served over TLS: cookies get the Secure flag. */
  secureCookies: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration / Ungültige Konfiguration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Accepts 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    return key.length === 32 ? key : null;
  }
  return null;
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (key: keyof typeof DEFAULTS): string => env[key]?.trim() || String(DEFAULTS[key]);

  const int = (key: keyof typeof DEFAULTS, min: number, max: number): number => {
    const raw = str(key);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}: expected an integer between ${min} and ${max}, got "${raw}"`);
      return Number(DEFAULTS[key]);
    }
    return n;
  };

  const url = (key: keyof typeof DEFAULTS, protocols: string[]): string => {
    const raw = str(key);
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
    } catch {
      problems.push(`${key}: expected a ${protocols.join(' or ')} URL, got "${withoutPassword(raw)}"`);
    }
    return raw;
  };

  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const redisDb = safeRedisDb(redisUrl);
  if (redisDb !== null && (!Number.isInteger(redisDb) || redisDb < 0 || redisDb > 15)) {
    problems.push(`REDIS_URL: the database number must be between 0 and 15`);
  }

  const secretKeys = parseSecretKeys(env.HEROLD_SECRET_KEY, env.HEROLD_OLD_SECRET_KEYS, problems);
  const publicUrl = url('HEROLD_PUBLIC_URL', ['http:', 'https:']).replace(/\/+$/, '');

  const workerConcurrency = int('HEROLD_WORKER_CONCURRENCY', 1, 500);
  const dbPoolSize = int('HEROLD_DB_POOL_SIZE', 0, 1000);

  const config: Config = {
    databaseUrl: url('DATABASE_URL', ['postgresql:', 'postgres:']),
    redisUrl,
    port: int('PORT', 0, 65535),
    host: str('HOST'),
    sweepSeconds: int('HEROLD_SWEEP_SECONDS', 1, 3600),
    publicUrl,
    secretKeys,
    workerConcurrency,
    dbPoolSize: dbPoolSize === 0 ? derivedPoolSize(workerConcurrency) : dbPoolSize,
    publishAttempts: int('HEROLD_PUBLISH_ATTEMPTS', 1, 50),
    retryBaseMs: int('HEROLD_RETRY_BASE_MS', 10, 600_000),
    stalePublishingSeconds: int('HEROLD_STALE_PUBLISHING_SECONDS', 10, 86400),
    sessionHours: int('SESSION_HOURS', 1, 24 * 30),
    logLevel: str('LOG_LEVEL'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1024, 50 * 1_048_576),
    allowPrivateMedia: int('HEROLD_ALLOW_PRIVATE_MEDIA', 0, 1) === 1,
    allowPrivateHosts: privateHosts(str('HEROLD_ALLOW_PRIVATE_HOSTS'), problems),
    trustProxy: trustedProxies(str('HEROLD_TRUST_PROXY'), problems),
    metricsToken: metricsToken(str('HEROLD_METRICS_TOKEN'), problems),
    secureCookies: isHttps(publicUrl),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Every publish job holds a connection during its claim and its settle, and the sweep and the
 * API need some besides; a smaller pool makes jobs queue for connections instead of for work.
 */
export function derivedPoolSize(workerConcurrency: number): number {
  return Math.max(10, workerConcurrency + 5);
}

const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);

function privateHosts(raw: string, problems: string[]): PrivateHostAllowance {
  if (raw === '' || raw === '0') return { all: false, ranges: [] };
  if (raw === '1') return { all: true, ranges: [] };
  const ranges = list(raw);
  const bad = invalidRanges(ranges);
  if (bad.length > 0) problems.push(`HEROLD_ALLOW_PRIVATE_HOSTS: expected 0, 1 or addresses/CIDR ranges separated by commas, not ${bad.map((b) => `"${b}"`).join(', ')}`);
  return { all: false, ranges };
}

/** Named ranges proxy-addr (Fastify's trustProxy) understands besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustedProxies(raw: string, problems: string[]): string[] {
  const entries = list(raw);
  // Trusting every hop would let any client forge X-Forwarded-For and slip past the login throttle.
  const bad = entries.filter((e) => !PROXY_RANGE_NAMES.has(e)).filter((e) => invalidRanges([e]).length > 0);
  if (bad.length > 0) {
    problems.push(`HEROLD_TRUST_PROXY: expected the proxies' addresses or CIDR ranges (or loopback), separated by commas, not ${bad.map((b) => `"${b}"`).join(', ')}`);
  }
  return entries;
}

function metricsToken(raw: string, problems: string[]): string | null {
  if (raw === '') return null;
  // The value itself is never quoted: it is a secret.
  if (raw.length < 16) problems.push('HEROLD_METRICS_TOKEN: must be at least 16 characters (e.g. `openssl rand -hex 32`)');
  return raw;
}

/** A URL as it may be printed: a password in it is masked (also when the URL is malformed). */
function withoutPassword(raw: string): string {
  return raw.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/, '$1***@');
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

function safeRedisDb(redisUrl: string): number | null {
  try {
    const path = new URL(redisUrl).pathname.replace(/^\//, '');
    return path === '' ? null : Number(path);
  } catch {
    return null;
  }
}

/**
 * HEROLD_SECRET_KEY encrypts channel credentials. Old keys stay readable through
 * HEROLD_OLD_SECRET_KEYS (comma-separated) until `herold keys rotate` re-encrypts.
 */
function parseSecretKeys(current: string | undefined, old: string | undefined, problems: string[]) {
  const keys: { id: string; key: Buffer }[] = [];
  if (!current?.trim()) {
    problems.push('HEROLD_SECRET_KEY: missing (32 bytes as 64 hex characters or base64; e.g. `openssl rand -hex 32`)');
    return keys;
  }
  for (const [index, raw] of [current, ...(old ?? '').split(',')].entries()) {
    if (!raw.trim()) continue;
    const key = parseSecretKey(raw);
    if (!key) {
      problems.push(`${index === 0 ? 'HEROLD_SECRET_KEY' : 'HEROLD_OLD_SECRET_KEYS'}: expected 32 bytes as 64 hex characters or base64`);
      continue;
    }
    keys.push({ id: keyId(key), key });
  }
  return keys;
}

/** A short public fingerprint of a key, stored beside each encrypted value. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
