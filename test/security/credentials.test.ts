// QUALITY.md "Security", rows 3 and 4: credentials at rest and secrets in output.
// One run creates channels of every type, users with passwords, sessions and API tokens, then
// lets publishing fail in the ways that put tokens into SDK errors (Graph error URLs carry
// ?access_token=…, X errors carry the OAuth header). Afterwards every log line, every API
// answer, every row of every table and every Redis value is searched for every secret.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';
import {
  PASSWORD,
  TEST_SECRET_KEY,
  call,
  captureLogs,
  createRelease,
  createTestOrg,
  dumpDatabase,
  leakedIn,
  recordingCall,
  signIn,
  startHarness,
  waitFor,
  type Harness,
  type Recorded,
  type TestOrg,
} from './helpers';

const ROOT = resolve(__dirname, '../..');
const unique = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

describe('credentials and secrets', () => {
  let h: Harness;
  let org: TestOrg;
  let logs: string[];
  const answers: Recorded[] = [];
  let rec: ReturnType<typeof recordingCall>;

  /** Every secret value this run hands to Herold. */
  const secrets: Record<string, string> = {
    pageToken: unique('EAAGpage'),
    pageToken2: unique('EAAGpagezwei'),
    xAppSecret: unique('xappsecret'),
    xAccessToken: unique('xaccesstoken'),
    xAccessSecret: unique('xaccesssecret'),
    wordpressPassword: unique('wpapp '),
    mastodonToken: unique('mastodon'),
    blueskyPassword: unique('bsky-'),
    userPassword: unique('Benutzer-Passwort '),
    changedPassword: unique('Neues Passwort '),
  };
  const channelIds: Record<string, string> = {};
  const pageId = String(200000 + Math.floor(Math.random() * 700000));
  const xUser = { userId: String(Math.floor(Math.random() * 1e12)), username: 'stadt_sec', appKey: unique('ck') };

  beforeAll(async () => {
    h = await startHarness({ LOG_LEVEL: 'debug', HEROLD_RETRY_BASE_MS: '20', HEROLD_PUBLISH_ATTEMPTS: '2' });
    logs = captureLogs(h);
    rec = recordingCall(h, answers);
    org = await createTestOrg(h);

    h.graph.addPage({ id: pageId, name: 'Seite Sicherheit', accessToken: secrets.pageToken! });
    h.x.addUser({ ...xUser, appSecret: secrets.xAppSecret, accessToken: secrets.xAccessToken, accessSecret: secrets.xAccessSecret });
    const channel = async (name: string, body: Record<string, unknown>) => {
      const res = await rec('POST', '/api/v1/channels', { token: org.admin.token, body: { name, ...body } });
      expect({ name, status: res.statusCode, body: res.statusCode === 201 ? '' : res.body }).toEqual({ name, status: 201, body: '' });
      channelIds[name] = res.json().id;
    };
    await channel('facebook', { type: 'facebook', settings: { pageId, apiBaseUrl: h.graph.url }, credentials: { pageAccessToken: secrets.pageToken } });
    await channel('twitter', {
      type: 'twitter',
      settings: { apiBaseUrl: h.x.url },
      credentials: { appKey: xUser.appKey, appSecret: secrets.xAppSecret, accessToken: secrets.xAccessToken, accessSecret: secrets.xAccessSecret },
    });
    // Nothing listens on port 9: their checks fail with a transport error that must stay clean.
    await channel('wordpress', { type: 'wordpress', settings: { siteUrl: 'http://127.0.0.1:9' }, credentials: { username: 'presse', applicationPassword: secrets.wordpressPassword } });
    await channel('mastodon', { type: 'mastodon', settings: { instanceUrl: 'http://127.0.0.1:9' }, credentials: { accessToken: secrets.mastodonToken } });
    await channel('bluesky', { type: 'bluesky', settings: { service: 'http://127.0.0.1:9' }, credentials: { identifier: 'presse.example.org', appPassword: secrets.blueskyPassword } });

    const created = await rec('POST', '/api/v1/users', { token: org.admin.token, body: { email: `pw-${randomUUID().slice(0, 6)}@${org.slug}.test`, name: 'Mit Passwort', roles: ['editor'], password: secrets.userPassword } });
    expect(created.statusCode).toBe(201);
    expect((await rec('PATCH', `/api/v1/users/${org.editor.id}`, { token: org.admin.token, body: { password: secrets.changedPassword } })).statusCode).toBe(200);
  });
  afterAll(() => h.close());

  describe('secrets in output', () => {
    it('never shows a credential in API answers, attempt histories, audit events or log lines while publishing fails and recovers', async () => {
      for (const name of Object.keys(channelIds)) await rec('POST', `/api/v1/channels/${channelIds[name]}/check`, { token: org.admin.token });
      h.startWorker();

      // 1. Facebook: a server error (retried), then an answer whose message quotes the request URL with the token.
      h.graph.failNext({ status: 500 }, 1, { method: 'POST' });
      h.graph.failNext(
        {
          status: 400,
          body: {
            error: {
              message: `(#100) Invalid parameter in https://graph.facebook.com/v24.0/${pageId}/feed?access_token=${secrets.pageToken}&appsecret_proof=abc`,
              type: 'OAuthException',
              code: 100,
              fbtrace_id: 'AbCdEf',
            },
          },
        },
        1,
        { method: 'POST' },
      );
      // 2. X: 401 whose problem details echo the signed OAuth header.
      h.x.failNext({
        status: 401,
        body: {
          title: 'Unauthorized',
          type: 'about:blank',
          status: 401,
          detail: `Could not authenticate: OAuth oauth_consumer_key="${xUser.appKey}", oauth_token="${secrets.xAccessToken}", oauth_signature="${secrets.xAccessSecret}"`,
        },
      });
      const first = await createRelease(h, org.author.token, [channelIds.facebook!, channelIds.twitter!], {}, { submit: true });
      expect((await rec('POST', `/api/v1/releases/${first.id}/approve`, { token: org.approver.token, body: { revision: first.revision } })).statusCode).toBe(200);
      await waitFor('first release settled', async () => {
        const posts = await h.deps.db.post.findMany({ where: { releaseId: first.id } });
        return posts.every((p) => ['failed', 'held', 'published', 'unconfirmed'].includes(p.status)) ? posts : null;
      });

      // 3. Facebook: the token expires; the channel needs new credentials; an admin gives them.
      await rec('PATCH', `/api/v1/channels/${channelIds.twitter}`, { token: org.admin.token, body: { enabled: false } });
      h.graph.expireToken(secrets.pageToken!);
      const second = await createRelease(h, org.author.token, [channelIds.facebook!], {}, { submit: true });
      expect((await rec('POST', `/api/v1/releases/${second.id}/approve`, { token: org.approver.token, body: { revision: second.revision } })).statusCode).toBe(200);
      await waitFor('held for re-authorisation', async () => (await h.deps.db.post.findFirst({ where: { releaseId: second.id, status: 'held' } })) !== null);
      await rec('POST', `/api/v1/channels/${channelIds.facebook}/check`, { token: org.admin.token });
      h.graph.addPage({ id: pageId, name: 'Seite Sicherheit', accessToken: secrets.pageToken2! });
      expect((await rec('PATCH', `/api/v1/channels/${channelIds.facebook}`, { token: org.admin.token, body: { credentials: { pageAccessToken: secrets.pageToken2 } } })).statusCode).toBe(200);
      await waitFor('published after re-authorisation', async () => (await h.deps.db.post.findFirst({ where: { releaseId: second.id, status: 'published' } })) !== null);

      // 4. Facebook: the connection drops after sending; the adapter looks the post up (GET with the token).
      h.graph.failNext({ drop: true }, 1, { method: 'POST' });
      const third = await createRelease(h, org.author.token, [channelIds.facebook!], {}, { submit: true });
      expect((await rec('POST', `/api/v1/releases/${third.id}/approve`, { token: org.approver.token, body: { revision: third.revision } })).statusCode).toBe(200);
      await waitFor('third release settled', async () => {
        const p = await h.deps.db.post.findFirstOrThrow({ where: { releaseId: third.id } });
        return ['published', 'unconfirmed', 'failed'].includes(p.status);
      });

      // Everything a user or operator could look at afterwards.
      for (const r of [first, second, third]) {
        await rec('GET', `/api/v1/releases/${r.id}`, { token: org.editor.token });
        for (const p of r.posts) await rec('GET', `/api/v1/posts/${p.id}`, { token: org.editor.token });
      }
      await rec('GET', '/api/v1/posts', { token: org.editor.token });
      await rec('GET', '/api/v1/channels', { token: org.admin.token });
      await rec('GET', '/api/v1/audit', { token: org.admin.token });
      await rec('GET', '/api/v1/users', { token: org.admin.token });
      await rec('GET', `/api/v1/calendar.ics?token=${encodeURIComponent(org.editor.token)}`);
      await h.stopWorker();

      // The run did hit the failure paths (otherwise this test proves nothing).
      const failedPost = await h.deps.db.post.findFirstOrThrow({ where: { releaseId: first.id, channelType: 'facebook' } });
      expect(failedPost.status).toBe('failed');
      expect(logs.filter((l) => l.includes('publish failed')).length).toBeGreaterThanOrEqual(2);
      expect(answers.length).toBeGreaterThan(20);

      const values = Object.values(secrets);
      const leaks = [
        ...answers.flatMap((a) => leakedIn(`${a.headers}\n${a.body}`, values).map((s) => `${a.method} ${a.url}: ${s}`)),
        ...logs.flatMap((line) => leakedIn(line, values).map((s) => `log: ${s} in ${line.slice(0, 300)}`)),
      ];
      expect(leaks).toEqual([]);
    });

    it('keeps credentials out of the attempt records and post errors stored in the database', async () => {
      const attempts = await h.deps.db.publicationAttempt.findMany({ where: { post: { orgId: org.id } } });
      expect(attempts.length).toBeGreaterThan(0);
      const posts = await h.deps.db.post.findMany({ where: { orgId: org.id } });
      expect(leakedIn(JSON.stringify({ attempts, posts }), Object.values(secrets))).toEqual([]);
    });

    it('redacts credential fields and authentication headers in log objects (createLogger, real pino output)', () => {
      const out = runLogger(['credentials', 'headers']);
      expect(out.lines).toBeGreaterThanOrEqual(3);
      expect(out.leaks).toEqual([]);
    });

    it('redacts access_token inside URLs and SDK error objects in log objects (createLogger, real pino output)', () => {
      // Issue 7: "never logged (pino redaction, including access_token inside URLs and SDK error objects)".
      const out = runLogger(['url', 'sdkError']);
      expect(out.lines).toBeGreaterThanOrEqual(2);
      expect(out.leaks).toEqual([]);
    });

    it('names no credential in a configuration error', () => {
      const dbPassword = unique('DbPasswort');
      const redisPassword = unique('RedisPasswort');
      let message = '';
      try {
        loadConfig({
          DATABASE_URL: `postgress://herold:${dbPassword}@db.intern:5432/herold`,
          REDIS_URL: `rediss://:${redisPassword}@cache.intern:6379/99`,
          HEROLD_SECRET_KEY: 'kein-gültiger-schlüssel',
        });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toContain('DATABASE_URL');
      expect(leakedIn(message, [dbPassword, redisPassword, 'kein-gültiger-schlüssel'])).toEqual([]);
    });
  });

  describe('credentials at rest', () => {
    let dump: { table: string; row: string }[];
    let sessionId: string;
    let apiToken: string;

    beforeAll(async () => {
      sessionId = (await signIn(h, org.approver.email, PASSWORD)).sessionId;
      apiToken = (await call(h, 'POST', '/api/v1/tokens', { token: org.editor.token, body: { name: 'Dump' } })).json().token;
      dump = await dumpDatabase();
    });

    it('dumps every table, including the ones holding credentials', () => {
      const tables = new Set(dump.map((d) => d.table));
      for (const t of ['channel', 'app_user', 'session', 'api_token', 'publication_attempt', 'audit_event', 'release_revision', 'post']) expect(tables).toContain(t);
      const ours = dump.filter((d) => d.table === 'channel' && Object.values(channelIds).some((id) => d.row.includes(id)));
      expect(ours).toHaveLength(Object.keys(channelIds).length);
    });

    it('contains no channel token, app password or user password in clear, nor the key that encrypts them', () => {
      const key = Buffer.from(TEST_SECRET_KEY, 'hex');
      const values = [...Object.values(secrets), PASSWORD, TEST_SECRET_KEY, key.toString('base64')];
      const leaks = dump.flatMap((d) => leakedIn(d.row, values).map((s) => `${d.table}: ${s}`));
      expect(leaks).toEqual([]);
    });

    it('contains no session id or API token that would let a reader sign in', () => {
      const bearer = [sessionId, apiToken, org.editor.token, org.admin.token];
      expect(dump.flatMap((d) => leakedIn(d.row, bearer).map((s) => `${d.table}: ${s.slice(0, 12)}…`))).toEqual([]);
    });

    it('stores each channel credential as an AES-256-GCM envelope with a key id', () => {
      for (const d of dump.filter((x) => x.table === 'channel' && Object.values(channelIds).some((id) => x.row.includes(id)))) {
        const row = JSON.parse(d.row) as { type: string; credentials_enc: string | null };
        expect({ type: row.type, envelope: row.credentials_enc?.split(':').slice(0, 2).length }).toEqual({ type: row.type, envelope: 2 });
        expect(row.credentials_enc).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]{22,24}:[A-Za-z0-9+/=]+$/);
      }
    });

    it('keeps the queue and the login throttle in Redis free of secrets too', async () => {
      const redis = h.deps.redis;
      const values: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          values.push(key);
          if (type === 'string') values.push((await redis.get(key)) ?? '');
          else if (type === 'hash') values.push(JSON.stringify(await redis.hgetall(key)));
          else if (type === 'list') values.push(JSON.stringify(await redis.lrange(key, 0, -1)));
          else if (type === 'zset') values.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
          else if (type === 'set') values.push(JSON.stringify(await redis.smembers(key)));
        }
      } while (cursor !== '0');
      expect(values.length).toBeGreaterThan(0);
      expect(leakedIn(values.join('\n'), [...Object.values(secrets), PASSWORD, sessionId, apiToken])).toEqual([]);
    });
  });
});

/**
 * Logs objects through the real createLogger in a child process (pino writes straight to fd 1,
 * which jest cannot intercept) and returns how many lines came out and which secrets leaked.
 */
function runLogger(cases: ('credentials' | 'headers' | 'url' | 'sdkError')[]): { lines: number; leaks: string[] } {
  const token = unique('EAAlogtoken');
  const dir = mkdtempSync(join(tmpdir(), 'herold-log-'));
  const script = join(dir, 'log.ts');
  writeFileSync(
    script,
    `import { createLogger } from ${JSON.stringify(join(ROOT, 'src/runtime'))};
const log = createLogger({ logLevel: 'debug' }, 'leak-check');
const token = process.env.LEAK_TOKEN as string;
const cases = (process.env.LEAK_CASES as string).split(',');
if (cases.includes('credentials')) {
  log.warn({ credentials: { pageAccessToken: token } }, 'credentials');
  log.warn({ channel: { credentials: { accessToken: token } } }, 'nested credentials');
  log.warn({ settings: { pageId: '1' }, pageAccessToken: token }, 'token field');
}
if (cases.includes('headers')) {
  log.info({ req: { method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer ' + token, cookie: 'herold_session=' + token } } }, 'request');
}
if (cases.includes('url')) {
  log.warn({ url: 'https://graph.facebook.com/v24.0/123/feed?access_token=' + token }, 'graph url');
}
if (cases.includes('sdkError')) {
  const err = Object.assign(new Error('Invalid OAuth access token.'), { name: 'FacebookRequestError', status: 400, url: 'https://graph.facebook.com/v24.0/me?fields=id&access_token=' + token, method: 'GET' });
  log.error({ err }, 'graph call failed');
}
`,
  );
  try {
    const stdout = execFileSync(join(ROOT, 'node_modules/.bin/tsx'), [script], {
      cwd: ROOT,
      env: { ...process.env, LEAK_TOKEN: token, LEAK_CASES: cases.join(',') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const lines = stdout.split('\n').filter(Boolean);
    return { lines: lines.length, leaks: lines.filter((l) => leakedIn(l, [token]).length > 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
