// Four-eyes: on X and Mastodon the account a post lands on is the access token's. Herold asks the
// network whose token it is when credentials are saved, records the account (settings.accountId,
// set by Herold only) and binds approvals to it: credentials of another account void the
// approvals waiting on the channel, a new token of the same account does not, credentials whose
// account the network cannot name are not saved, and the worker refuses a post whose recorded
// account changed behind the service's back. Real SDKs against the X and Mastodon fakes.
import { randomBytes, randomUUID } from 'node:crypto';
import { decryptJson } from '../../src/security/credentials';
import { publishPost } from '../../src/services/publish';
import { targetOf } from '../../src/services/releases';
import { startMastodonFake, type MastodonFake } from '../../src/simulated/mastodon-fake';
import { auditOf, call, createRelease, useHarnessWithOrg } from './helpers';

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const hex = () => randomBytes(8).toString('hex');
const numericId = () => String(100_000_000 + Math.floor(Math.random() * 899_999_999));

describe('the X and Mastodon account is part of what was approved', () => {
  const ctx = useHarnessWithOrg();
  let mastodon: MastodonFake;
  beforeAll(async () => {
    mastodon = await startMastodonFake();
  });
  afterAll(() => mastodon?.close());

  // --- accounts on the fakes, and channels through the API ----------------------------------

  /** An X account with OAuth 1.0a keys; `again` gives the same account another access token. */
  const xAccount = () => {
    const userId = numericId();
    const appKey = `ck-${hex()}`;
    const appSecret = `cs-${hex()}`;
    const keys = () => {
      const creds = { appKey, appSecret, accessToken: `${userId}-${hex()}`, accessSecret: `as-${hex()}` };
      ctx.h.x.addUser({ userId, username: `amt_${userId.slice(0, 6)}`, ...creds });
      return creds;
    };
    return { userId, credentials: keys(), again: keys };
  };
  const mastodonAccount = () => {
    const id = numericId();
    const accessToken = `masto-${hex()}`;
    mastodon.addAccount({ id, username: `amt${id.slice(0, 6)}`, accessToken });
    const again = () => {
      const token = `masto-${hex()}`;
      mastodon.addToken(id, token);
      return { accessToken: token };
    };
    return { id, accountId: `${id}@${new URL(mastodon.url).host}`, credentials: { accessToken }, again };
  };

  const xSettings = () => ({ apiBaseUrl: ctx.h.x.url });
  const mastodonSettings = () => ({ instanceUrl: mastodon.url });
  const create = (body: Record<string, unknown>, lang = 'de') =>
    call(ctx.h, 'POST', '/api/v1/channels', { token: ctx.org.admin.token, body: { name: `Kanal ${hex()}`, ...body }, headers: { 'accept-language': lang } });
  const patch = (id: string, body: Record<string, unknown>, lang = 'de') =>
    call(ctx.h, 'PATCH', `/api/v1/channels/${id}`, { token: ctx.org.admin.token, body, headers: { 'accept-language': lang } });
  const channelRow = (id: string) => ctx.h.deps.db.channel.findUniqueOrThrow({ where: { id } });
  const releaseRow = (id: string) => ctx.h.deps.db.release.findUniqueOrThrow({ where: { id }, include: { posts: true, approvals: true } });
  const jobOf = async (postId: string) => {
    const p = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: postId } });
    return { postId, revision: p.revision, generation: p.generation };
  };

  async function channel(type: 'twitter' | 'mastodon', settings: Record<string, unknown>, credentials: Record<string, unknown>) {
    const res = await create({ type, settings, credentials });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; settings: Record<string, unknown> };
  }

  /** A release on the channel, approved, due in an hour. */
  async function approved(channelId: string) {
    const marker = `Freigabe ${randomUUID().slice(0, 8)}`;
    const r = await createRelease(ctx.h, ctx.org.editor.token, [channelId], { title: marker, body: `${marker}: Das Bürgerbüro öffnet länger.`, publishAt: inSeconds(3600) }, { submit: true });
    const res = await call(ctx.h, 'POST', `/api/v1/releases/${r.id}/approve`, { token: ctx.org.approver.token, body: { revision: r.revision } });
    expect(res.statusCode).toBe(200);
    return { ...r, marker, before: await releaseRow(r.id) };
  }

  async function expectVoided(release: Awaited<ReturnType<typeof approved>>, channelId: string) {
    const row = await releaseRow(release.id);
    expect({ status: row.status, revision: row.revision, approvedById: row.approvedById }).toEqual({ status: 'draft', revision: release.revision + 1, approvedById: null });
    expect(row.posts.map((p) => ({ status: p.status, approvedHash: p.approvedHash }))).toEqual([{ status: 'draft', approvedHash: null }]);
    expect(row.approvals.map((a) => ({ voided: a.voidedAt !== null, reason: a.voidReason }))).toEqual([{ voided: true, reason: 'channel_target_changed' }]);
    expect(row.editorIds).toContain(ctx.org.admin.id);
    const events = (await auditOf(ctx.h, ctx.org.id, release.id)).filter((e) => e.action === 'release.approval_voided');
    expect(events.map((e) => ({ actorId: e.actorId, data: e.data }))).toEqual([
      { actorId: ctx.org.admin.id, data: { reason: 'channel_target_changed', channelId, revision: release.revision + 1 } },
    ]);
    // The approved revision's job is a dead letter, even handed to the worker directly.
    const oldJob = { postId: release.posts[0]!.id, revision: release.revision, generation: release.before.posts[0]!.generation };
    expect((await publishPost(ctx.h.deps, oldJob, { workerId: 'voided', lastAttempt: true })).kind).toBe('skipped');
  }

  async function expectKept(release: Awaited<ReturnType<typeof approved>>) {
    const row = await releaseRow(release.id);
    expect({ status: row.status, revision: row.revision }).toEqual({ status: 'scheduled', revision: release.revision });
    expect(row.posts.map((p) => p.approvedHash)).toEqual(release.before.posts.map((p) => p.approvedHash));
    expect(row.approvals.map((a) => a.voidedAt)).toEqual([null]);
    expect((await auditOf(ctx.h, ctx.org.id, release.id)).map((e) => e.action)).not.toContain('release.approval_voided');
  }

  /** Hands the approved post to the worker now. */
  async function publishNow(release: { posts: { id: string }[] }) {
    const postId = release.posts[0]!.id;
    await ctx.h.deps.db.post.update({ where: { id: postId }, data: { dueAt: new Date() } });
    return publishPost(ctx.h.deps, await jobOf(postId), { workerId: 'account-test', lastAttempt: true });
  }
  const xTexts = (userId: string, marker: string) => ctx.h.x.tweetsOf(userId).filter((t) => t.text.includes(marker));
  const mastodonTexts = (accountId: string, marker: string) => mastodon.statuses.filter((s) => s.accountId === accountId && s.text.includes(marker));

  // --- X ------------------------------------------------------------------------------------

  describe('X', () => {
    it('records the account of the token and voids the approvals when credentials of another account replace it; nothing goes out', async () => {
      const press = xAccount();
      const ch = await channel('twitter', xSettings(), press.credentials);
      expect(ch.settings.accountId).toBe(press.userId);
      const release = await approved(ch.id);

      const other = xAccount();
      const res = await patch(ch.id, { credentials: other.credentials });
      expect(res.statusCode).toBe(200);
      expect(res.json().settings.accountId).toBe(other.userId);

      await expectVoided(release, ch.id);
      const channelEvent = (await auditOf(ctx.h, ctx.org.id, ch.id)).at(-1)!;
      expect({ action: channelEvent.action, data: channelEvent.data }).toMatchObject({
        action: 'channel.credentials_changed',
        data: { accountId: other.userId, targetChanged: true, approvalsVoided: 1 },
      });
      expect([...xTexts(press.userId, release.marker), ...xTexts(other.userId, release.marker)]).toEqual([]);
    });

    it('keeps the approval when a new token of the same account is entered (OAuth 1.0a and OAuth 2), and the post goes out under that account', async () => {
      const press = xAccount();
      const ch = await channel('twitter', xSettings(), press.credentials);
      const release = await approved(ch.id);

      expect((await patch(ch.id, { credentials: press.again() })).statusCode).toBe(200);
      await expectKept(release);
      const client = { clientId: `herold-${hex()}` };
      ctx.h.x.addOAuth2Client(client);
      const pair = ctx.h.x.issueOAuth2Tokens(press.userId, client.clientId);
      expect((await patch(ch.id, { credentials: { accessToken: pair.accessToken, refreshToken: pair.refreshToken, clientId: client.clientId, expiresAt: pair.expiresAt } })).statusCode).toBe(200);
      await expectKept(release);
      expect((await channelRow(ch.id)).settings).toMatchObject({ accountId: press.userId });

      expect((await publishNow(release)).kind).toBe('published');
      expect(xTexts(press.userId, release.marker)).toHaveLength(1);
    });

    it('voids nothing when the worker refreshes the OAuth 2 token, and the account stays recorded', async () => {
      const press = xAccount();
      const client = { clientId: `herold-${hex()}` };
      ctx.h.x.addOAuth2Client(client);
      // Expires within the refresh margin: the worker renews the pair before it publishes.
      const pair = ctx.h.x.issueOAuth2Tokens(press.userId, client.clientId, { expiresInSeconds: 60 });
      const ch = await channel('twitter', xSettings(), { accessToken: pair.accessToken, refreshToken: pair.refreshToken, clientId: client.clientId, expiresAt: pair.expiresAt });
      const release = await approved(ch.id);

      expect((await publishNow(release)).kind).toBe('published');
      const row = await channelRow(ch.id);
      expect((decryptJson(row.credentialsEnc!, ctx.h.deps.config.secretKeys) as { accessToken: string }).accessToken).not.toBe(pair.accessToken);
      expect(row.settings).toMatchObject({ accountId: press.userId });
      expect(xTexts(press.userId, release.marker)).toHaveLength(1);
      expect((await auditOf(ctx.h, ctx.org.id, release.id)).map((e) => e.action)).not.toContain('release.approval_voided');
    });
  });

  // --- Mastodon -------------------------------------------------------------------------------

  describe('Mastodon', () => {
    it('records account and instance, and voids the approvals when a token of another account replaces the old one', async () => {
      const press = mastodonAccount();
      const ch = await channel('mastodon', mastodonSettings(), press.credentials);
      expect(ch.settings.accountId).toBe(press.accountId);
      const release = await approved(ch.id);

      const other = mastodonAccount();
      const res = await patch(ch.id, { credentials: other.credentials });
      expect(res.statusCode).toBe(200);
      expect(res.json().settings.accountId).toBe(other.accountId);
      await expectVoided(release, ch.id);
      expect([...mastodonTexts(press.id, release.marker), ...mastodonTexts(other.id, release.marker)]).toEqual([]);
    });

    it('keeps the approval when a new token of the same account is entered, and the post goes out under that account', async () => {
      const press = mastodonAccount();
      const ch = await channel('mastodon', mastodonSettings(), press.credentials);
      const release = await approved(ch.id);
      const renewed = press.again();
      mastodon.revoke(press.credentials.accessToken);

      expect((await patch(ch.id, { credentials: renewed })).statusCode).toBe(200);
      await expectKept(release);
      expect((await publishNow(release)).kind).toBe('published');
      expect(mastodonTexts(press.id, release.marker)).toHaveLength(1);
    });
  });

  // --- the network cannot be asked -----------------------------------------------------------

  describe('when the network cannot name the account', () => {
    it('saves no new credentials (422 CHANNEL_ACCOUNT_UNVERIFIED, in German and English) and keeps the approvals for the recorded account', async () => {
      const press = xAccount();
      const ch = await channel('twitter', xSettings(), press.credentials);
      const release = await approved(ch.id);
      const before = await channelRow(ch.id);
      const eventsBefore = (await auditOf(ctx.h, ctx.org.id, ch.id)).length;
      const other = xAccount();

      // X is down, or X does not know the token (401).
      ctx.h.x.failNext({ status: 503 }, 1, { method: 'GET', path: '/2/users/me' });
      const down = await patch(ch.id, { credentials: other.credentials });
      expect(down.statusCode).toBe(422);
      expect(down.json().error).toMatchObject({ code: 'CHANNEL_ACCOUNT_UNVERIFIED', details: [{ path: 'credentials', message: 'SERVER_ERROR' }] });
      expect(down.json().error.message).toMatch(/X.*nicht feststellen.*Konto.*nichts gespeichert/i);
      const unknown = await patch(ch.id, { credentials: { ...other.credentials, accessToken: `${other.userId}-unbekannt` } }, 'en');
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().error).toMatchObject({ code: 'CHANNEL_ACCOUNT_UNVERIFIED', details: [{ path: 'credentials', message: 'AUTH_EXPIRED' }] });
      expect(unknown.json().error.message).toMatch(/could not find out from X which account.*Nothing was saved/);
      expect(JSON.stringify([down.json(), unknown.json()])).not.toContain(other.credentials.accessSecret);

      const after = await channelRow(ch.id);
      expect({ settings: after.settings, credentialsEnc: after.credentialsEnc, status: after.status }).toEqual({
        settings: before.settings,
        credentialsEnc: before.credentialsEnc,
        status: before.status,
      });
      expect((await auditOf(ctx.h, ctx.org.id, ch.id)).length).toBe(eventsBefore);
      await expectKept(release);
      expect((await publishNow(release)).kind).toBe('published');
      expect(xTexts(press.userId, release.marker)).toHaveLength(1);
    });

    it('refuses Mastodon credentials the same way when the instance is unreachable', async () => {
      const press = mastodonAccount();
      const ch = await channel('mastodon', mastodonSettings(), press.credentials);
      const release = await approved(ch.id);
      const before = await channelRow(ch.id);
      mastodon.failNext({ drop: true }, 1, { method: 'GET', path: '/api/v1/accounts/verify_credentials' });
      const res = await patch(ch.id, { credentials: mastodonAccount().credentials });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('CHANNEL_ACCOUNT_UNVERIFIED');
      expect((await channelRow(ch.id)).credentialsEnc).toBe(before.credentialsEnc);
      await expectKept(release);
    });

    it('creates a channel without an account (nothing is approved on it yet); the first credentials save records one and voids what was approved meanwhile', async () => {
      const press = xAccount();
      ctx.h.x.failNext({ status: 503 }, 1, { method: 'GET', path: '/2/users/me' });
      const ch = await channel('twitter', xSettings(), press.credentials);
      expect(ch.settings).not.toHaveProperty('accountId');
      const created = (await auditOf(ctx.h, ctx.org.id, ch.id)).find((e) => e.action === 'channel.created');
      expect(created?.data).toMatchObject({ accountUnverified: 'SERVER_ERROR' });
      const release = await approved(ch.id);

      // Herold cannot tell that the account it now learns is the one the approver saw.
      expect((await patch(ch.id, { credentials: press.again() })).statusCode).toBe(200);
      expect((await channelRow(ch.id)).settings).toMatchObject({ accountId: press.userId });
      await expectVoided(release, ch.id);
    });
  });

  // --- channels saved before accounts were recorded -------------------------------------------

  it('leaves channels saved before accounts were recorded as they were: same target, approvals stand, posts go out', async () => {
    const press = xAccount();
    const ch = await channel('twitter', xSettings(), press.credentials);
    // What such a channel looks like: settings without accountId, as the previous version wrote them.
    await ctx.h.deps.db.channel.update({ where: { id: ch.id }, data: { settings: xSettings() } });
    const legacy = await channelRow(ch.id);
    // Exactly the target the previous version hashed: no accountId key, not even null.
    expect(targetOf(legacy, ctx.h.deps.config.secretKeys)).toEqual({ network: 'twitter', apiBaseUrl: ctx.h.x.url.replace(/\/+$/, '') });
    const legacyRelease = await approved(ch.id);
    expect((await publishNow(legacyRelease)).kind).toBe('published');
    expect(xTexts(press.userId, legacyRelease.marker)).toHaveLength(1);
  });

  // --- the client cannot set the account ------------------------------------------------------

  it('does not let a client set the account: refused on create and update, the shown value may come back unchanged, settings edits keep it', async () => {
    const press = xAccount();
    const other = xAccount();
    const forged = await create({ type: 'twitter', settings: { ...xSettings(), accountId: other.userId }, credentials: press.credentials });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'settings.accountId' }] });
    const forgedMastodon = await create({ type: 'mastodon', settings: { ...mastodonSettings(), accountId: '1@elsewhere' }, credentials: mastodonAccount().credentials });
    expect(forgedMastodon.statusCode).toBe(400);
    // In the credentials, or on a network that records none, it is an unknown field.
    expect((await create({ type: 'twitter', settings: xSettings(), credentials: { ...press.credentials, accountId: other.userId } })).statusCode).toBe(400);
    expect((await create({ type: 'facebook', settings: { pageId: '4711', apiBaseUrl: ctx.h.graph.url, accountId: '4711' }, credentials: { pageAccessToken: 'EAAx' } })).statusCode).toBe(400);

    const ch = await channel('twitter', xSettings(), press.credentials);
    const release = await approved(ch.id);
    const moved = await patch(ch.id, { settings: { ...xSettings(), accountId: other.userId } });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.details).toEqual([{ path: 'settings.accountId', message: expect.any(String) }]);
    const removed = await patch(ch.id, { settings: { ...xSettings(), accountId: null } });
    expect(removed.statusCode).toBe(400);
    expect((await channelRow(ch.id)).settings).toMatchObject({ accountId: press.userId });

    // The staff UI and GET-then-PATCH send back what they were shown; a settings edit without it keeps it too.
    expect((await patch(ch.id, { settings: { ...xSettings(), accountId: press.userId, username: 'stadt' } })).statusCode).toBe(200);
    expect((await patch(ch.id, { settings: { ...xSettings(), timeoutMs: 20_000 } })).statusCode).toBe(200);
    expect((await channelRow(ch.id)).settings).toEqual({ ...xSettings(), timeoutMs: 20_000, accountId: press.userId });
    await expectKept(release);
  });

  // --- the worker's last check ----------------------------------------------------------------

  it('makes the worker refuse a post whose recorded account changed behind the service (X and Mastodon)', async () => {
    const x = xAccount();
    const xChannel = await channel('twitter', xSettings(), x.credentials);
    const m = mastodonAccount();
    const mChannel = await channel('mastodon', mastodonSettings(), m.credentials);
    for (const { id, settings, posted } of [
      { id: xChannel.id, settings: { ...xSettings(), accountId: numericId() }, posted: (marker: string) => xTexts(x.userId, marker) },
      { id: mChannel.id, settings: { ...mastodonSettings(), accountId: `${numericId()}@${new URL(mastodon.url).host}` }, posted: (marker: string) => mastodonTexts(m.id, marker) },
    ]) {
      const release = await approved(id);
      await ctx.h.deps.db.channel.update({ where: { id }, data: { settings } });
      expect(await publishNow(release)).toEqual({ kind: 'final', status: 'failed', code: 'NOT_APPROVED' });
      const post = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: release.posts[0]!.id } });
      expect({ status: post.status, errorCode: post.errorCode }).toEqual({ status: 'failed', errorCode: 'NOT_APPROVED' });
      expect(posted(release.marker)).toEqual([]);
    }
  });
});
