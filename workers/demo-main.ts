// `npm start`: everything in one process with demo data, on a machine with local PostgreSQL and
// Redis. Publishes to the built-in blog and to clearly labelled SIMULATED Facebook, X, Mastodon,
// Bluesky and WordPress channels (loopback fakes of their APIs, started here). Nothing leaves the
// machine.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit, runParts } from './run';
import { addOrg, addUser } from '../src/services/bootstrap';
import { encryptJson } from '../src/security/credentials';
import type { Deps } from '../src/services/deps';
import { createRelease, submitRelease } from '../src/services/releases';
import { startGraphFake } from '../src/simulated/graph-fake';
import { startBlueskyFake } from '../src/simulated/bluesky-fake';
import { startMastodonFake } from '../src/simulated/mastodon-fake';
import { startWordPressFake } from '../src/simulated/wordpress-fake';
import { startXFake } from '../src/simulated/x-fake';
import { findOrgBySlug } from '../src/store/orgs';
import type { Role } from '../src/domain/types';

const ROOT = join(__dirname, '..');
const STATE_FILE = join(ROOT, '.herold-demo.json');
const ORG = { slug: 'stadt-musterstadt', name: 'Stadt Musterstadt' };

interface DemoState {
  secretKey: string;
  passwords: Record<string, string>;
  pageToken: string;
  x: { appKey: string; appSecret: string; accessToken: string; accessSecret: string };
  mastodonToken?: string;
  blueskyPassword?: string;
  wordpressPassword?: string;
}

const USERS: { email: string; name: string; roles: Role[] }[] = [
  { email: 'redaktion@musterstadt.example', name: 'Rita Redakteurin', roles: ['editor'] },
  { email: 'freigabe@musterstadt.example', name: 'Frank Freigabe', roles: ['editor', 'approver'] },
  { email: 'it@musterstadt.example', name: 'Ines IT', roles: ['admin'] },
];
const PAGE = { id: '104729', name: 'Stadt Musterstadt (SIMULIERTE Facebook-Seite)' };
const X_USER = { userId: '1500000000000000001', username: 'musterstadt_sim', name: 'Stadt Musterstadt (SIMULIERT)' };
const MASTODON_ACCOUNT = { id: '109000000000000001', username: 'musterstadt', displayName: 'Stadt Musterstadt (SIMULIERT)' };
const BLUESKY_ACCOUNT = { did: 'did:plc:musterstadtsimuliert', handle: 'musterstadt-simuliert.bsky.social' };
const WORDPRESS_USER = { username: 'pressestelle', name: 'Pressestelle Musterstadt (SIMULIERT)', role: 'author' as const };

const secret = () => randomBytes(18).toString('base64url');

/** Generated once, kept beside the checkout (git-ignored) so a restart prints the same passwords. */
function loadState(): Required<DemoState> {
  const state: DemoState = existsSync(STATE_FILE)
    ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DemoState)
    : {
        secretKey: randomBytes(32).toString('hex'),
        passwords: Object.fromEntries(USERS.map((u) => [u.email, secret()])),
        pageToken: `EAA${secret()}`,
        x: { appKey: secret(), appSecret: secret(), accessToken: `${X_USER.userId}-${secret()}`, accessSecret: secret() },
      };
  // Channels added in later versions get their secrets on the next start.
  const complete = {
    ...state,
    mastodonToken: state.mastodonToken ?? secret(),
    blueskyPassword: state.blueskyPassword ?? secret(),
    wordpressPassword: state.wordpressPassword ?? secret(),
  };
  writeFileSync(STATE_FILE, JSON.stringify(complete, null, 2), { mode: 0o600 });
  return complete;
}

async function seed(deps: Deps, state: Required<DemoState>, urls: { graph: string; x: string; mastodon: string; bluesky: string; wordpress: string }) {
  let org = await findOrgBySlug(deps.db, ORG.slug);
  const fresh = !org;
  if (!org) {
    org = await addOrg(deps.db, ORG);
    for (const u of USERS) await addUser(deps.db, { orgSlug: ORG.slug, ...u, password: state.passwords[u.email]! });
  }
  const channels = [
    { type: 'blog', name: 'Blog der Stadt', settings: { title: 'Pressemitteilungen der Stadt Musterstadt' }, credentials: null },
    { type: 'facebook', name: 'Facebook (SIMULIERT)', settings: { pageId: PAGE.id, apiBaseUrl: urls.graph }, credentials: { pageAccessToken: state.pageToken } },
    // The accounts the simulated networks answer "who am I" with, as saving credentials records them.
    { type: 'twitter', name: 'X (SIMULIERT)', settings: { apiBaseUrl: urls.x, username: X_USER.username, accountId: X_USER.userId }, credentials: state.x },
    {
      type: 'mastodon',
      name: 'Mastodon (SIMULIERT)',
      settings: { instanceUrl: urls.mastodon, accountId: `${MASTODON_ACCOUNT.id}@${new URL(urls.mastodon).host}` },
      credentials: { accessToken: state.mastodonToken },
    },
    { type: 'bluesky', name: 'Bluesky (SIMULIERT)', settings: { service: urls.bluesky }, credentials: { identifier: BLUESKY_ACCOUNT.handle, appPassword: state.blueskyPassword } },
    {
      type: 'wordpress',
      name: 'WordPress (SIMULIERT)',
      settings: { siteUrl: urls.wordpress },
      credentials: { username: WORDPRESS_USER.username, applicationPassword: state.wordpressPassword },
    },
  ];
  for (const c of channels) {
    const existing = await deps.db.channel.findFirst({ where: { orgId: org.id, name: c.name } });
    const data = {
      settings: c.settings,
      credentialsEnc: c.credentials ? encryptJson(c.credentials, deps.config.secretKeys) : null,
    };
    // Settings and credentials as the demo defines them (an earlier demo may have used other ports).
    if (existing) await deps.db.channel.update({ where: { id: existing.id }, data: { ...data, status: 'active' } });
    else await deps.db.channel.create({ data: { orgId: org.id, type: c.type, name: c.name, ...data } });
  }
  if (fresh) await seedRelease(deps, org.id);
}

/** A realistic release waiting for approval, so the approver has something to do at once. */
async function seedRelease(deps: Deps, orgId: string) {
  const sample = join(ROOT, 'test/fixtures/releases/kbw-social-media-buergerbeteiligung.txt');
  if (!existsSync(sample)) return;
  const [title, ...rest] = readFileSync(sample, 'utf8').split('\n');
  const editor = await deps.db.user.findFirstOrThrow({ where: { orgId, email: USERS[0]!.email } });
  const actor = { userId: editor.id, orgId, email: editor.email, name: editor.name, roles: editor.roles as Role[], language: 'de' as const };
  const channelIds = (await deps.db.channel.findMany({ where: { orgId } })).map((c) => c.id);
  const release = await createRelease(deps, actor, { title: title!.trim(), body: rest.join('\n').trim(), dateline: 'Musterstadt', channelIds });
  await submitRelease(deps, actor, release.id);
}

async function main() {
  const state = loadState();
  const port = Number(process.env.PORT ?? 8080);
  const env = {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/herold',
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    HEROLD_SECRET_KEY: state.secretKey,
    HEROLD_PUBLIC_URL: `http://localhost:${port}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    // The simulated networks listen on loopback.
    HEROLD_ALLOW_PRIVATE_HOSTS: '127.0.0.0/8,::1',
    ...process.env,
  };
  const config = loadConfigOrExit(env);
  execFileSync(process.execPath, [join(ROOT, 'scripts/migrate.js'), '--create', '--quiet'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });

  // The simulated networks listen on fixed ports next to Herold's (8081–8085 by default): a
  // channel's address is part of what an approver approved, so new ports at every start would
  // void the approvals of every post not yet sent.
  const fakesPort = Number(process.env.HEROLD_DEMO_FAKES_PORT ?? port + 1);
  const graph = await startGraphFake({ port: fakesPort, pages: [{ ...PAGE, accessToken: state.pageToken }] });
  const x = await startXFake({ port: fakesPort + 1, users: [{ ...X_USER, ...state.x }] });
  const mastodon = await startMastodonFake({ port: fakesPort + 2, accounts: [{ ...MASTODON_ACCOUNT, accessToken: state.mastodonToken }] });
  const bluesky = await startBlueskyFake({ port: fakesPort + 3, accounts: [{ ...BLUESKY_ACCOUNT, appPassword: state.blueskyPassword }] });
  const wordpress = await startWordPressFake({ port: fakesPort + 4, users: [{ ...WORDPRESS_USER, applicationPassword: state.wordpressPassword }], permalinks: 'pretty' });
  const { deps, port: listening, stop } = await runParts(['api', 'worker', 'scheduler'], config, 'demo');
  process.once('exit', () => void Promise.all([graph.close(), x.close(), mastodon.close(), bluesky.close(), wordpress.close()]));
  try {
    await seed(deps, state, { graph: graph.url, x: x.url, mastodon: mastodon.url, bluesky: bluesky.url, wordpress: wordpress.url });
  } catch (err) {
    console.error('Demo-Daten konnten nicht angelegt werden / seeding failed:', (err as Error).message);
    await stop();
    process.exit(1);
  }
  const base = config.publicUrl;
  const lines = [
    '',
    'Herold läuft (Demo) / Herold is running (demo)',
    `  Start:        ${base}/  (port ${listening})`,
    `  Blog:         ${base}/blog/${ORG.slug}/`,
    `  API:          ${base}/api/docs/openapi.json`,
    `  Bereit:       ${base}/readyz`,
    '',
    '  Anmeldung / sign-in (POST /api/v1/auth/login):',
    ...USERS.map((u) => `    ${u.roles.join('+').padEnd(16)} ${u.email.padEnd(32)} ${state.passwords[u.email]}`),
    '',
    '  SIMULIERTE Kanäle – nichts wird wirklich veröffentlicht / SIMULATED channels, nothing leaves this machine:',
    `    Facebook (Graph-API-Attrappe): ${graph.url}`,
    `    X (X-API-Attrappe):            ${x.url}`,
    `    Mastodon (Attrappe):           ${mastodon.url}`,
    `    Bluesky (XRPC-Attrappe):       ${bluesky.url}`,
    `    WordPress (REST-API-Attrappe): ${wordpress.url}/wp-json/`,
    '',
    '  Eine Mitteilung wartet auf Freigabe durch freigabe@musterstadt.example.',
    '  Beenden mit Strg+C / stop with Ctrl+C',
    '',
  ];
  console.log(lines.join('\n'));
}

void main();
