// `herold keys rotate` end to end, in a database of its own: the command re-encrypts the channels
// of every organisation, so it must not run in the database the other suites share. After the
// rotation every credential is an envelope of the new key, the old key alone opens none of them,
// and Herold configured with only the new key publishes and checks as before.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { keyId, loadConfig } from '../../config/load';
import { closeDeps, createDeps } from '../../src/runtime';
import { addOrg } from '../../src/services/bootstrap';
import { decryptJson, encryptJson, envelopeKeyId } from '../../src/security/credentials';
import type { Deps } from '../../src/services/deps';
import { testDatabaseUrl, testRedisUrl } from '../helpers/env';

const ROOT = join(__dirname, '../..');
const OLD_KEY = randomBytes(32).toString('hex');
const NEW_KEY = randomBytes(32).toString('hex');

function keysDatabaseUrl(): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `${url.pathname}_keys`;
  return url.toString();
}

async function recreateDatabase(url: string) {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  execFileSync('node', ['scripts/migrate.js', '--create', '--quiet'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: 'inherit' });
}

function configFor(secretKey: string, oldKeys?: string) {
  return loadConfig({
    DATABASE_URL: keysDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    HEROLD_SECRET_KEY: secretKey,
    ...(oldKeys ? { HEROLD_OLD_SECRET_KEYS: oldKeys } : {}),
    LOG_LEVEL: 'silent',
  });
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/herold.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: keysDatabaseUrl(), REDIS_URL: testRedisUrl(), LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('herold keys rotate', () => {
  let deps: Deps;
  const secrets = [
    { type: 'facebook', settings: { pageId: '4711' }, credentials: { pageAccessToken: `EAArotate${randomBytes(6).toString('hex')}` } },
    { type: 'mastodon', settings: { instanceUrl: 'https://social.example.org' }, credentials: { accessToken: `masto${randomBytes(6).toString('hex')}` } },
    { type: 'wordpress', settings: { siteUrl: 'https://www.example.org' }, credentials: { username: 'presse', applicationPassword: `wp ${randomBytes(6).toString('hex')}` } },
  ];

  beforeAll(async () => {
    await recreateDatabase(keysDatabaseUrl());
    deps = createDeps(configFor(OLD_KEY), 'keys-test');
    // Two organisations: the rotation covers all of them.
    for (const slug of ['kreis-alt', 'gemeinde-alt']) {
      const org = await addOrg(deps.db, { slug, name: slug });
      for (const s of secrets) {
        await deps.db.channel.create({
          data: { orgId: org.id, type: s.type, name: s.type, settings: s.settings, credentialsEnc: encryptJson(s.credentials, deps.config.secretKeys) },
        });
      }
    }
  }, 120_000);
  afterAll(async () => {
    await closeDeps(deps);
  });

  it('re-encrypts every channel of every organisation with the new key; the old key alone opens none of them', async () => {
    const oldId = keyId(Buffer.from(OLD_KEY, 'hex'));
    const newId = keyId(Buffer.from(NEW_KEY, 'hex'));
    const before = await deps.db.channel.findMany({ orderBy: { id: 'asc' } });
    expect(before.map((c) => envelopeKeyId(c.credentialsEnc!))).toEqual(before.map(() => oldId));

    const run = await runCli(['keys', 'rotate'], { HEROLD_SECRET_KEY: NEW_KEY, HEROLD_OLD_SECRET_KEYS: OLD_KEY });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^${before.length} `, 'm'));
    // Neither key is printed.
    expect(run.stdout + run.stderr).not.toMatch(new RegExp(`${OLD_KEY}|${NEW_KEY}`));

    const after = await deps.db.channel.findMany({ orderBy: { id: 'asc' } });
    const onlyNew = configFor(NEW_KEY).secretKeys;
    const onlyOld = configFor(OLD_KEY).secretKeys;
    for (const [i, channel] of after.entries()) {
      expect(envelopeKeyId(channel.credentialsEnc!)).toBe(newId);
      expect(decryptJson(channel.credentialsEnc!, onlyNew)).toEqual(decryptJson(before[i]!.credentialsEnc!, onlyOld));
      expect(() => decryptJson(channel.credentialsEnc!, onlyOld)).toThrow();
      expect(channel.credentialsEnc).not.toBe(before[i]!.credentialsEnc);
    }
    // No credential is readable in the rows themselves.
    const dump = JSON.stringify(after);
    for (const s of secrets) for (const value of Object.values(s.credentials)) expect(dump).not.toContain(value);
  }, 60_000);

  it('is idempotent: a second run changes nothing', async () => {
    const before = await deps.db.channel.findMany({ orderBy: { id: 'asc' } });
    const run = await runCli(['keys', 'rotate'], { HEROLD_SECRET_KEY: NEW_KEY, HEROLD_OLD_SECRET_KEYS: OLD_KEY });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^0 /m);
    expect(await deps.db.channel.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  }, 60_000);

  it('fails loudly, changing nothing, when a credential was encrypted with a key that is no longer configured', async () => {
    const stray = randomBytes(32).toString('hex');
    const org = await deps.db.organisation.findFirstOrThrow();
    const lost = await deps.db.channel.create({
      data: { orgId: org.id, type: 'facebook', name: 'verloren', settings: { pageId: '1' }, credentialsEnc: encryptJson({ pageAccessToken: 'EAAverloren' }, configFor(stray).secretKeys) },
    });
    const run = await runCli(['keys', 'rotate'], { HEROLD_SECRET_KEY: NEW_KEY, HEROLD_OLD_SECRET_KEYS: OLD_KEY });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Fehler \/ error/);
    expect(run.stderr + run.stdout).not.toContain('EAAverloren');
    expect((await deps.db.channel.findUniqueOrThrow({ where: { id: lost.id } })).credentialsEnc).toBe(lost.credentialsEnc);
  }, 60_000);
});
