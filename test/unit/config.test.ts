// config/load.ts: start-up configuration fails loudly and lists every bad key at once.
import { randomBytes } from 'node:crypto';
import { ConfigError, keyId, loadConfig, parseSecretKey } from '../../config/load';

const HEX_KEY = '0123456789abcdef'.repeat(4);
const OLD_KEY = Buffer.alloc(32, 7);

function validEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_URL: 'postgresql://herold:secret@db.intern:5432/herold',
    REDIS_URL: 'redis://cache.intern:6379/3',
    PORT: '9090',
    HOST: '127.0.0.1',
    HEROLD_SWEEP_SECONDS: '5',
    HEROLD_PUBLIC_URL: 'https://presse.stadt-beispiel.de/',
    HEROLD_SECRET_KEY: HEX_KEY,
    HEROLD_OLD_SECRET_KEYS: OLD_KEY.toString('base64'),
    HEROLD_WORKER_CONCURRENCY: '8',
    HEROLD_PUBLISH_ATTEMPTS: '4',
    HEROLD_STALE_PUBLISHING_SECONDS: '300',
    SESSION_HOURS: '8',
    LOG_LEVEL: 'warn',
    BODY_LIMIT_BYTES: '2048',
    ...overrides,
  };
}

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

describe('loadConfig', () => {
  it('reads a full valid environment', () => {
    const config = loadConfig(validEnv());

    expect(config).toEqual({
      databaseUrl: 'postgresql://herold:secret@db.intern:5432/herold',
      redisUrl: 'redis://cache.intern:6379/3',
      port: 9090,
      host: '127.0.0.1',
      sweepSeconds: 5,
      publicUrl: 'https://presse.stadt-beispiel.de',
      secretKeys: [
        { id: keyId(Buffer.from(HEX_KEY, 'hex')), key: Buffer.from(HEX_KEY, 'hex') },
        { id: keyId(OLD_KEY), key: OLD_KEY },
      ],
      workerConcurrency: 8,
      dbPoolSize: 13,
      publishAttempts: 4,
      retryBaseMs: 2000,
      allowPrivateMedia: false,
      stalePublishingSeconds: 300,
      sessionHours: 8,
      logLevel: 'warn',
      bodyLimitBytes: 2048,
      allowPrivateHosts: { all: false, ranges: [] },
      trustProxy: [],
      metricsToken: null,
      secureCookies: true,
    });
  });

  it('falls back to the defaults for everything but the secret key', () => {
    const config = loadConfig({ HEROLD_SECRET_KEY: HEX_KEY });

    expect(config).toMatchObject({
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/herold',
      redisUrl: 'redis://127.0.0.1:6379/0',
      port: 8080,
      publicUrl: 'http://localhost:8080',
      secureCookies: false,
    });
    expect(config.secretKeys).toHaveLength(1);
  });

  it('reports a missing secret key, a bad PORT and a non-redis REDIS_URL in one ConfigError', () => {
    const err = configError(validEnv({ HEROLD_SECRET_KEY: undefined, PORT: 'achtzig', REDIS_URL: 'http://cache.intern:6379/0' }));

    expect(err.problems).toHaveLength(3);
    for (const key of ['HEROLD_SECRET_KEY', 'PORT', 'REDIS_URL']) {
      expect(err.problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
      expect(err.message).toContain(`${key}:`);
    }
    expect(err.message).toContain('achtzig');
    expect(err.message).toContain('http://cache.intern:6379/0');
  });

  it('sizes the database pool above the worker concurrency unless HEROLD_DB_POOL_SIZE says otherwise', () => {
    // Each publish job in flight holds a connection for its claim and its record; the sweep and
    // the API need more. A pool of 10 for 20 jobs made jobs time out waiting for a connection.
    expect(loadConfig(validEnv({ HEROLD_WORKER_CONCURRENCY: '20' })).dbPoolSize).toBe(25);
    expect(loadConfig(validEnv({ HEROLD_WORKER_CONCURRENCY: '2' })).dbPoolSize).toBe(10);
    expect(loadConfig(validEnv({ HEROLD_WORKER_CONCURRENCY: '20', HEROLD_DB_POOL_SIZE: '40' })).dbPoolSize).toBe(40);
    expect(configError(validEnv({ HEROLD_DB_POOL_SIZE: 'viele' })).problems).toEqual([expect.stringMatching(/^HEROLD_DB_POOL_SIZE:/)]);
  });

  it('treats a blank secret key as missing', () => {
    const err = configError(validEnv({ HEROLD_SECRET_KEY: '   ' }));
    expect(err.problems).toEqual([expect.stringMatching(/^HEROLD_SECRET_KEY: missing/)]);
  });

  it('refuses a PORT outside 0..65535', () => {
    expect(configError(validEnv({ PORT: '65536' })).problems).toEqual([expect.stringMatching(/^PORT:/)]);
    expect(configError(validEnv({ PORT: '-1' })).problems).toEqual([expect.stringMatching(/^PORT:/)]);
    expect(configError(validEnv({ PORT: '80.5' })).problems).toEqual([expect.stringMatching(/^PORT:/)]);
  });

  it('accepts the secret key as 64 hex characters', () => {
    const key = randomBytes(32);
    const config = loadConfig(validEnv({ HEROLD_SECRET_KEY: key.toString('hex'), HEROLD_OLD_SECRET_KEYS: undefined }));
    expect(config.secretKeys).toEqual([{ id: keyId(key), key }]);
  });

  it('accepts the secret key as base64 of 32 bytes', () => {
    const key = randomBytes(32);
    const config = loadConfig(validEnv({ HEROLD_SECRET_KEY: key.toString('base64'), HEROLD_OLD_SECRET_KEYS: undefined }));
    expect(config.secretKeys).toEqual([{ id: keyId(key), key }]);
  });

  it('refuses a secret key of 31 bytes, as hex and as base64', () => {
    const short = randomBytes(31);
    for (const value of [short.toString('hex'), short.toString('base64')]) {
      const err = configError(validEnv({ HEROLD_SECRET_KEY: value }));
      expect(err.problems).toEqual([expect.stringMatching(/^HEROLD_SECRET_KEY: expected 32 bytes/)]);
    }
  });

  it('refuses a secret key of 33 bytes and a passphrase', () => {
    expect(configError(validEnv({ HEROLD_SECRET_KEY: randomBytes(33).toString('base64') })).problems).toHaveLength(1);
    expect(configError(validEnv({ HEROLD_SECRET_KEY: 'geheim-geheim-geheim' })).problems).toHaveLength(1);
  });

  it('refuses a Redis database number above 15', () => {
    const err = configError(validEnv({ REDIS_URL: 'redis://cache.intern:6379/16' }));
    expect(err.problems).toEqual([expect.stringMatching(/^REDIS_URL: the database number must be between 0 and 15/)]);
  });

  it('accepts Redis database 15 and rediss://', () => {
    expect(loadConfig(validEnv({ REDIS_URL: 'redis://cache.intern:6379/15' })).redisUrl).toBe('redis://cache.intern:6379/15');
    expect(loadConfig(validEnv({ REDIS_URL: 'rediss://cache.intern:6380' })).redisUrl).toBe('rediss://cache.intern:6380');
  });

  it('parses HEROLD_OLD_SECRET_KEYS as a comma-separated list after the current key', () => {
    const oldA = randomBytes(32);
    const oldB = randomBytes(32);
    const config = loadConfig(validEnv({ HEROLD_OLD_SECRET_KEYS: ` ${oldA.toString('hex')} ,${oldB.toString('base64')},` }));

    expect(config.secretKeys.map((k) => k.key)).toEqual([Buffer.from(HEX_KEY, 'hex'), oldA, oldB]);
    expect(config.secretKeys.map((k) => k.id)).toEqual([keyId(Buffer.from(HEX_KEY, 'hex')), keyId(oldA), keyId(oldB)]);
  });

  it('names HEROLD_OLD_SECRET_KEYS when an old key is malformed', () => {
    const err = configError(validEnv({ HEROLD_OLD_SECRET_KEYS: `${randomBytes(32).toString('hex')},kaputt` }));
    expect(err.problems).toEqual([expect.stringMatching(/^HEROLD_OLD_SECRET_KEYS:/)]);
  });

  it('removes trailing slashes from the public URL', () => {
    expect(loadConfig(validEnv({ HEROLD_PUBLIC_URL: 'http://presse.example/' })).publicUrl).toBe('http://presse.example');
    expect(loadConfig(validEnv({ HEROLD_PUBLIC_URL: 'https://example.de/presse//' })).publicUrl).toBe('https://example.de/presse');
  });

  it('sets secureCookies for an https public URL only', () => {
    expect(loadConfig(validEnv({ HEROLD_PUBLIC_URL: 'https://presse.example' })).secureCookies).toBe(true);
    expect(loadConfig(validEnv({ HEROLD_PUBLIC_URL: 'http://presse.example' })).secureCookies).toBe(false);
  });

  // URL schemes are case-insensitive, so HTTPS:// is TLS too.
  it('sets secureCookies for an https public URL written in capitals', () => {
    expect(loadConfig(validEnv({ HEROLD_PUBLIC_URL: 'HTTPS://presse.example' })).secureCookies).toBe(true);
  });

  it('refuses a public URL that is not http(s)', () => {
    expect(configError(validEnv({ HEROLD_PUBLIC_URL: 'ftp://presse.example' })).problems).toEqual([
      expect.stringMatching(/^HEROLD_PUBLIC_URL:/),
    ]);
  });
});

describe('parseSecretKey', () => {
  it('accepts url-safe base64 and surrounding whitespace', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey(`  ${key.toString('hex')}\n`)).toEqual(key);
  });

  it('refuses 62 hex characters', () => {
    expect(parseSecretKey(randomBytes(31).toString('hex'))).toBeNull();
  });
});
