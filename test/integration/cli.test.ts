// The real command line (src/cli/herold.ts) in a child process, against the test PostgreSQL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../src/security/tokens';
import { addToken, addUser } from '../../src/services/bootstrap';
import { testDatabaseUrl } from '../helpers/env';
import { call, startHarness, type Harness } from '../helpers/harness';

const ROOT = join(__dirname, '..', '..');
const SECRET_KEY = 'b'.repeat(64);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cliEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: 'redis://127.0.0.1:6379/11',
    HEROLD_SECRET_KEY: SECRET_KEY,
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

function herold(args: string[], opts: { stdin?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/herold.ts', ...args], {
      cwd: ROOT,
      env: cliEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

const PASSWORD = 'korrekt Pferd Batterie';

describe('herold CLI', () => {
  let h: Harness;
  let dir: string;
  const slug = `cli-${randomBytes(4).toString('hex')}`;
  const email = `pressestelle-${randomBytes(3).toString('hex')}@${slug}.test`;

  beforeAll(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'herold-cli-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  it('prints the usage for --help', async () => {
    const run = await herold(['--help']);
    expect(run.code).toBe(0);
    for (const usage of ['org add --slug', 'user add --org', 'token create --email', 'release import', 'keys rotate']) {
      expect(run.stdout).toContain(usage);
    }
  });

  it('adds an organisation', async () => {
    const run = await herold(['org', 'add', '--slug', slug, '--name', 'Stadt Test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const org = await h.deps.db.organisation.findUnique({ where: { slug } });
    expect(org).toMatchObject({ slug, name: 'Stadt Test', timezone: 'Europe/Berlin' });
    expect(run.stdout).toContain(org!.id);
    const events = await h.deps.db.auditEvent.findMany({ where: { orgId: org!.id } });
    expect(events.map((e) => e.action)).toEqual(['org.created']);
  });

  it('refuses a second organisation with the same slug', async () => {
    const run = await herold(['org', 'add', '--slug', slug, '--name', 'Noch eine Stadt']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ORG_EXISTS');
    expect(await h.deps.db.organisation.count({ where: { slug } })).toBe(1);
  });

  it('adds a user with the password read from stdin', async () => {
    const run = await herold(['user', 'add', '--org', slug, '--email', email, '--name', 'Pressestelle', '--role', 'editor,approver'], {
      stdin: `${PASSWORD}\n`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(email);

    const user = await h.deps.db.user.findUnique({ where: { email }, include: { org: true } });
    expect(user).toMatchObject({ name: 'Pressestelle', roles: ['editor', 'approver'] });
    expect(user!.org.slug).toBe(slug);
    expect(user!.passwordHash).toBeTruthy();
    expect(user!.passwordHash).not.toContain(PASSWORD);

    // The password from stdin (without its newline) signs in through the API.
    const login = await call(h, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const wrong = await call(h, 'POST', '/api/v1/auth/login', { body: { email, password: `${PASSWORD}\n` } });
    expect(wrong.statusCode).toBe(401);
  });

  it('creates a token that works as a bearer token', async () => {
    const run = await herold(['token', 'create', '--email', email]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    expect(token).toMatch(/^hrd_[A-Za-z0-9_-]{43}$/);

    const user = await h.deps.db.user.findUnique({ where: { email } });
    const rows = await h.deps.db.apiToken.findMany({ where: { userId: user!.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(sha256(token));
    expect(rows[0]!.name).toBe('cli');

    const me = await call(h, 'GET', '/api/v1/me', { token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email, roles: ['editor', 'approver'] });
  });

  it('imports a Markdown release with front matter as a draft', async () => {
    // A blog channel, created by an admin of the same organisation through the API.
    const admin = `admin-${randomBytes(3).toString('hex')}@${slug}.test`;
    await addUser(h.deps.db, { orgSlug: slug, email: admin, name: 'Admin', roles: ['admin'], password: PASSWORD });
    const adminToken = await addToken(h.deps.db, { email: admin, name: 'test' });
    const channel = await call(h, 'POST', '/api/v1/channels', { token: adminToken, body: { type: 'blog', name: 'Blog', settings: {} } });
    expect(channel.statusCode).toBe(201);

    const file = join(dir, 'oeffnungszeiten.md');
    writeFileSync(
      file,
      [
        '---',
        'title: Neue Öffnungszeiten im Bürgerbüro',
        'subtitle: Ab April länger geöffnet',
        'dateline: Musterstadt, 1. März 2026',
        "embargoUntil: '2030-04-01T08:00:00Z'",
        "publishAt: '2030-04-01T09:00:00Z'",
        'channels: [blog]',
        '---',
        '',
        'Das Bürgerbüro der Stadt öffnet ab dem 1. April montags bis freitags von 7 bis 19 Uhr.',
        '',
        'Termine können online vereinbart werden.',
        '',
      ].join('\n'),
    );

    const run = await herold(['release', 'import', file, '--email', email]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = /draft created: ([0-9a-f-]{36})/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();

    const user = await h.deps.db.user.findUnique({ where: { email } });
    const release = await h.deps.db.release.findUnique({ where: { id: id! }, include: { posts: true } });
    expect(release).toMatchObject({
      orgId: user!.orgId,
      authorId: user!.id,
      status: 'draft',
      revision: 1,
      title: 'Neue Öffnungszeiten im Bürgerbüro',
      subtitle: 'Ab April länger geöffnet',
      dateline: 'Musterstadt, 1. März 2026',
      slug: 'neue-oeffnungszeiten-im-buergerbuero',
      crisis: false,
    });
    expect(release!.embargoUntil).toEqual(new Date('2030-04-01T08:00:00Z'));
    expect(release!.publishAt).toEqual(new Date('2030-04-01T09:00:00Z'));
    expect(release!.body).toBe(
      'Das Bürgerbüro der Stadt öffnet ab dem 1. April montags bis freitags von 7 bis 19 Uhr.\n\nTermine können online vereinbart werden.',
    );
    expect(release!.body).not.toContain('title:');
    expect(release!.posts.map((p) => ({ channelId: p.channelId, status: p.status }))).toEqual([
      { channelId: channel.json().id, status: 'draft' },
    ]);

    // Recorded in the audit log as the importing user's action.
    const events = await h.deps.db.auditEvent.findMany({ where: { entityId: id! } });
    expect(events.map((e) => ({ action: e.action, actorId: e.actorId }))).toEqual([{ action: 'release.created', actorId: user!.id }]);
  });

  it('refuses an import whose publishAt lies before the embargo', async () => {
    const file = join(dir, 'sperrfrist.md');
    writeFileSync(file, "---\ntitle: Sperrfrist verletzt\nembargoUntil: '2030-04-01T08:00:00Z'\npublishAt: '2030-03-31T08:00:00Z'\n---\nText.\n");
    const before = await h.deps.db.release.count({ where: { title: 'Sperrfrist verletzt' } });

    const run = await herold(['release', 'import', file, '--email', email]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('EMBARGO_VIOLATION');
    expect(await h.deps.db.release.count({ where: { title: 'Sperrfrist verletzt' } })).toBe(before);
  });

  it('refuses an unknown role with exit code 1 and names it', async () => {
    const other = `chef-${randomBytes(3).toString('hex')}@${slug}.test`;
    const run = await herold(['user', 'add', '--org', slug, '--email', other, '--name', 'Chef', '--role', 'editor,chef'], { stdin: `${PASSWORD}\n` });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown role(s): chef');
    expect(run.stderr).toContain('allowed: editor, approver, admin');
    expect(await h.deps.db.user.count({ where: { email: other } })).toBe(0);
  });

  it('refuses missing options and names them', async () => {
    const [org, user, token] = await Promise.all([
      herold(['org', 'add', '--slug', `cli-${randomBytes(4).toString('hex')}`]),
      herold(['user', 'add', '--org', slug, '--email', `x@${slug}.test`], { stdin: `${PASSWORD}\n` }),
      herold(['token', 'create']),
    ]);
    expect(org.code).not.toBe(0);
    expect(org.stderr).toContain('--name');
    expect(org.stderr).not.toContain('--slug');

    expect(user.code).not.toBe(0);
    expect(user.stderr).toMatch(/missing option\(s\): --name, --role/);

    expect(token.code).not.toBe(0);
    expect(token.stderr).toContain('--email');
    expect(token.stdout).toBe('');
  });

  // A mistyped option or --help after a command gets a message and the usage, never a stack trace.
  it('prints the usage, not a stack trace, for --help after a command', async () => {
    const run = await herold(['org', 'add', '--help']);
    expect(run.stdout + run.stderr).toContain('org add --slug');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown command with the usage', async () => {
    const run = await herold(['org', 'remove', '--slug', slug]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command: org remove');
    expect(run.stderr).toContain('org add --slug');
  });

  it('exits with code 2 and names HEROLD_SECRET_KEY when it is missing', async () => {
    const run = await herold(['org', 'add', '--slug', `cli-${randomBytes(4).toString('hex')}`, '--name', 'Ohne Schlüssel'], {
      env: { HEROLD_SECRET_KEY: undefined },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HEROLD_SECRET_KEY');
    expect(await h.deps.db.organisation.count({ where: { name: 'Ohne Schlüssel' } })).toBe(0);
  });
});
