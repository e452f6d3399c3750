// Issue 7, "Four-eyes": an approval is bound to where a channel publishes. An admin who points a
// channel at another Page after approval voids the approvals of the releases waiting on it (back to
// draft, audited); new credentials for the same account do not. And should a channel ever be moved
// behind the service's back, the worker's last check refuses the post, which stays visible.
import { randomBytes, randomUUID } from 'node:crypto';
import { postHash } from '../../src/domain/workflow';
import { encryptJson } from '../../src/security/credentials';
import { publishPost } from '../../src/services/publish';
import { auditOf, call, createRelease, useHarnessWithOrg, waitFor } from './helpers';

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('channel target and approvals', () => {
  const ctx = useHarnessWithOrg({ worker: true });

  /** A Page in the Graph fake and its token. */
  const newPage = () => {
    const page = { id: String(100000 + Math.floor(Math.random() * 899999)), accessToken: `EAAtest${randomBytes(8).toString('hex')}` };
    ctx.h.graph.addPage({ ...page, name: `Seite ${page.id}` });
    return page;
  };
  /** A Facebook channel of its own, so that the tests do not move each other's ctx.channels. */
  const facebookChannel = async () => {
    const page = newPage();
    const res = await call(ctx.h, 'POST', '/api/v1/channels', {
      token: ctx.org.admin.token,
      body: { type: 'facebook', name: `Facebook ${page.id}`, settings: { pageId: page.id, apiBaseUrl: ctx.h.graph.url }, credentials: { pageAccessToken: page.accessToken } },
    });
    expect(res.statusCode).toBe(201);
    return { id: res.json().id as string, page };
  };
  const approve = (id: string, revision: number) => call(ctx.h, 'POST', `/api/v1/releases/${id}/approve`, { token: ctx.org.approver.token, body: { revision } });
  const releaseRow = (id: string) => ctx.h.deps.db.release.findUniqueOrThrow({ where: { id }, include: { posts: true, approvals: true } });
  const textsOn = (pageId: string) => ctx.h.graph.postsOf(pageId).map((p) => p.message ?? '');
  const jobOf = async (postId: string) => {
    const p = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: postId } });
    return { postId, revision: p.revision, generation: p.generation };
  };

  it('sends the release back to draft when an admin moves the channel to another Page after approval; nothing goes out to either Page', async () => {
    const text = `Freigegeben für die alte Seite ${randomUUID()}`;
    const oldPage = ctx.channels.pageId;
    const publishAt = Date.now() + 4000;
    const r = await createRelease(ctx.h, ctx.org.editor.token, [ctx.channels.facebook], { title: text, body: `${text}.`, publishAt: new Date(publishAt).toISOString() }, { submit: true });
    const waiting = await createRelease(ctx.h, ctx.org.editor.token, [ctx.channels.facebook], { publishAt: inSeconds(3600) }, { submit: true });
    expect((await approve(r.id, r.revision)).statusCode).toBe(200);
    const oldJobs = await Promise.all(r.posts.map((p) => jobOf(p.id)));

    const target = newPage();
    const moved = await call(ctx.h, 'PATCH', `/api/v1/channels/${ctx.channels.facebook}`, {
      token: ctx.org.admin.token,
      body: { settings: { pageId: target.id, apiBaseUrl: ctx.h.graph.url }, credentials: { pageAccessToken: target.accessToken } },
    });
    expect(moved.statusCode).toBe(200);
    // The move came before the planned time (else this run proves nothing).
    expect(Date.now()).toBeLessThan(publishAt);

    const row = await releaseRow(r.id);
    expect({ status: row.status, revision: row.revision, approvedById: row.approvedById }).toEqual({ status: 'draft', revision: r.revision + 1, approvedById: null });
    expect(row.posts.map((p) => ({ status: p.status, approvedHash: p.approvedHash }))).toEqual([{ status: 'draft', approvedHash: null }]);
    expect(row.approvals.map((a) => ({ voided: a.voidedAt !== null, reason: a.voidReason }))).toEqual([{ voided: true, reason: 'channel_target_changed' }]);
    // Whoever chose the new Page may not approve it for this release.
    expect(row.editorIds).toContain(ctx.org.admin.id);
    const voided = (await auditOf(ctx.h, ctx.org.id, r.id)).filter((e) => e.action === 'release.approval_voided');
    expect(voided.map((e) => ({ actorId: e.actorId, data: e.data }))).toEqual([
      { actorId: ctx.org.admin.id, data: { reason: 'channel_target_changed', channelId: ctx.channels.facebook, revision: r.revision + 1 } },
    ]);
    const channelEvents = await auditOf(ctx.h, ctx.org.id, ctx.channels.facebook);
    expect(channelEvents.at(-1)?.data).toMatchObject({ targetChanged: true, approvalsVoided: 1 });
    // A release still in review has no approval to void.
    const untouched = await releaseRow(waiting.id);
    expect({ status: untouched.status, revision: untouched.revision }).toEqual({ status: 'in_review', revision: waiting.revision });

    // Well past the planned time: the worker had every chance.
    await sleep(publishAt - Date.now() + 1500);
    expect((await releaseRow(r.id)).posts.map((p) => p.status)).toEqual(['draft']);
    expect([...textsOn(oldPage), ...textsOn(target.id)].filter((t) => t.includes(text))).toEqual([]);
    // The queued jobs of the approved revision are dead letters, even handed to the worker directly.
    for (const job of oldJobs) expect((await publishPost(ctx.h.deps, job, { workerId: 'moved', lastAttempt: true })).kind).toBe('skipped');
    expect([...textsOn(oldPage), ...textsOn(target.id)].filter((t) => t.includes(text))).toEqual([]);

    // Reviewed and approved again, it goes to the new Page.
    expect((await call(ctx.h, 'PATCH', `/api/v1/releases/${r.id}`, { token: ctx.org.editor.token, body: { publishAt: null } })).statusCode).toBe(200);
    const resubmitted = await call(ctx.h, 'POST', `/api/v1/releases/${r.id}/submit`, { token: ctx.org.editor.token });
    expect(resubmitted.statusCode).toBe(200);
    expect((await approve(r.id, resubmitted.json().revision)).statusCode).toBe(200);
    await waitFor('published on the new Page', async () => textsOn(target.id).some((t) => t.includes(text)));
    expect(textsOn(oldPage).filter((t) => t.includes(text))).toEqual([]);
  });

  it('keeps the approval when only the credentials (and a setting that moves nothing) change', async () => {
    const { id, page } = await facebookChannel();
    const text = `Bleibt freigegeben ${randomUUID()}`;
    const r = await createRelease(ctx.h, ctx.org.editor.token, [id], { title: text, body: `${text}.`, publishAt: inSeconds(3600) }, { submit: true });
    expect((await approve(r.id, r.revision)).statusCode).toBe(200);
    const before = await releaseRow(r.id);

    // The Page gets a new token (the old one stops working), and the admin enters it.
    const rotated = `EAAtest${randomBytes(8).toString('hex')}`;
    ctx.h.graph.addPage({ id: page.id, name: `Seite ${page.id}`, accessToken: rotated });
    const res = await call(ctx.h, 'PATCH', `/api/v1/channels/${id}`, {
      token: ctx.org.admin.token,
      body: { settings: { pageId: page.id, apiBaseUrl: `${ctx.h.graph.url}/`, timeoutMs: 20_000 }, credentials: { pageAccessToken: rotated } },
    });
    expect(res.statusCode).toBe(200);

    const after = await releaseRow(r.id);
    expect({ status: after.status, revision: after.revision }).toEqual({ status: 'scheduled', revision: before.revision });
    expect(after.posts.map((p) => p.approvedHash)).toEqual(before.posts.map((p) => p.approvedHash));
    expect(after.approvals.map((a) => a.voidedAt)).toEqual([null]);
    expect((await auditOf(ctx.h, ctx.org.id, r.id)).map((e) => e.action)).not.toContain('release.approval_voided');

    await ctx.h.deps.db.post.update({ where: { id: r.posts[0]!.id }, data: { dueAt: new Date() } });
    const outcome = await publishPost(ctx.h.deps, await jobOf(r.posts[0]!.id), { workerId: 'rotated', lastAttempt: true });
    expect(outcome.kind).toBe('published');
    expect(textsOn(page.id).filter((t) => t.includes(text))).toHaveLength(1);
  });

  it('makes the worker refuse a post whose channel was moved behind the service, and keeps it visible to approvers', async () => {
    // Defence in depth: should any write path ever change a channel without voiding approvals.
    const { id, page } = await facebookChannel();
    const text = `Darf nicht umgeleitet werden ${randomUUID()}`;
    const r = await createRelease(ctx.h, ctx.org.editor.token, [id], { title: text, body: `${text}.`, publishAt: inSeconds(3600) }, { submit: true });
    expect((await approve(r.id, r.revision)).statusCode).toBe(200);

    const other = newPage();
    await ctx.h.deps.db.channel.update({
      where: { id },
      data: { settings: { pageId: other.id, apiBaseUrl: ctx.h.graph.url }, credentialsEnc: encryptJson({ pageAccessToken: other.accessToken }, ctx.h.deps.config.secretKeys) },
    });
    const postId = r.posts[0]!.id;
    await ctx.h.deps.db.post.update({ where: { id: postId }, data: { dueAt: new Date() } });
    const outcome = await publishPost(ctx.h.deps, await jobOf(postId), { workerId: 'redirected', lastAttempt: true });
    expect(outcome).toEqual({ kind: 'final', status: 'failed', code: 'NOT_APPROVED' });
    expect([...textsOn(page.id), ...textsOn(other.id)].filter((t) => t.includes(text))).toEqual([]);

    // Not lost: failed with a reason, in the audit log, and on the approvers' list of posts that need attention.
    const row = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: postId } });
    expect({ status: row.status, errorCode: row.errorCode }).toEqual({ status: 'failed', errorCode: 'NOT_APPROVED' });
    expect((await auditOf(ctx.h, ctx.org.id, postId)).map((e) => ({ action: e.action, data: e.data }))).toContainEqual({ action: 'post.failed', data: { code: 'NOT_APPROVED' } });
    const attention = await call(ctx.h, 'GET', '/api/v1/posts?status=failed', { token: ctx.org.approver.token });
    expect(attention.statusCode).toBe(200);
    expect((attention.json() as { id: string; error?: { code: string } }[]).filter((p) => p.id === postId).map((p) => p.error?.code)).toEqual(['NOT_APPROVED']);
    // Retrying sends nothing either: the approval does not cover the new Page.
    expect((await call(ctx.h, 'POST', `/api/v1/posts/${postId}/retry`, { token: ctx.org.approver.token })).statusCode).toBeLessThan(500);
    await waitFor('retry settled', async () => {
      const p = await ctx.h.deps.db.post.findUniqueOrThrow({ where: { id: postId } });
      return p.status !== 'scheduled' && p.status !== 'publishing' ? p : null;
    });
    expect([...textsOn(page.id), ...textsOn(other.id)].filter((t) => t.includes(text))).toEqual([]);
  });

  it('still publishes a post approved before approvals covered the target (unversioned hash)', async () => {
    const { id, page } = await facebookChannel();
    const text = `Vor dem Update freigegeben ${randomUUID()}`;
    const r = await createRelease(ctx.h, ctx.org.editor.token, [id], { title: text, body: `${text}.`, publishAt: inSeconds(3600) }, { submit: true });
    expect((await approve(r.id, r.revision)).statusCode).toBe(200);
    // What the previous version stored: the hash over content, channel id and times only.
    const release = await releaseRow(r.id);
    const post = release.posts[0]!;
    const legacy = postHash(release, { id: post.id, channelId: post.channelId, channelType: post.channelType, content: post.content as object, publishAt: post.publishAt });
    expect(legacy).toMatch(/^[0-9a-f]{64}$/);
    await ctx.h.deps.db.post.update({ where: { id: post.id }, data: { approvedHash: legacy, dueAt: new Date() } });
    const outcome = await publishPost(ctx.h.deps, await jobOf(post.id), { workerId: 'legacy', lastAttempt: true });
    expect(outcome.kind).toBe('published');
    expect(textsOn(page.id).filter((t) => t.includes(text))).toHaveLength(1);
  });
});
