// Release use cases: create, edit, submit, approve, reject, cancel. Every change that reaches
// the public bumps the revision and voids an approval; approvals are serialised with edits by a
// row lock on the release.
import type { Actor } from '../domain/actor';
import { auditActor, hasRole } from '../domain/actor';
import { AppError, forbidden, invalid, notFound } from '../domain/errors';
import {
  approvalTimes,
  assertInPublicationWindow,
  plannedTimes,
  releaseTime,
  windowsFromPolicy,
  type WindowPolicy,
} from '../domain/publication-window';
import { guidelinesFromPolicy } from '../domain/splitting';
import type { MediaItem, PostContent } from '../domain/types';
import { channelTarget, targetNeedsCredentials, type ChannelTarget } from '../domain/channel-target';
import {
  EDITABLE_STATUSES,
  approvalHash,
  assertApproverAccountIndependent,
  assertCurrentRevision,
  assertMayApprove,
  assertNotBeforeEmbargo,
  assertStatus,
  dueAt,
  matchesApproval,
  packageHash,
  slugify,
  type PublishablePost,
  type PublishableRelease,
} from '../domain/workflow';
import { decryptJson, type SecretKey } from '../security/credentials';
import { findChannelsByIds } from '../store/channels';
import { sqlTransaction, type Sql, type Tx } from '../store/db';
import { appendAuditSql } from '../store/audit';
import { findOrgById } from '../store/orgs';
import { findPasswordSetters } from '../store/users';
import { createPost, deletePost, findPost, updatePost } from '../store/posts';
import {
  addRevision,
  createApproval,
  findRelease,
  findReleaseConsistent,
  insertReleaseWithPosts,
  listReleases as selectReleases,
  lockRelease,
  newReleaseRows,
  readCreationContext,
  slugExists,
  updateRelease as writeRelease,
  voidApprovals,
  type ReleaseWithPosts,
} from '../store/releases';
import { audit, auditingRefusals } from './audit';
import { assertSubmittable, composeForChannel, remeasure, type ChannelRef, type ComposeContext } from './compose';
import type { Deps } from './deps';
import { enqueueDue } from './scheduling';

export interface ReleaseInput {
  title: string;
  body: string;
  subtitle?: string | null;
  dateline?: string | null;
  embargoUntil?: Date | null;
  publishAt?: Date | null;
  channelIds: string[];
  crisis?: boolean;
  language?: string;
  media?: MediaItem[];
}

export type ReleasePatch = Partial<ReleaseInput> & { regenerate?: boolean };

type Channel = Awaited<ReturnType<typeof findChannelsByIds>>[number];

async function loadChannels(tx: Tx, orgId: string, ids: string[]): Promise<Channel[]> {
  return checkedChannels(await findChannelsByIds(tx, orgId, [...new Set(ids)]), ids);
}

/** The channels found for `ids`: all of them, all enabled, article channels first. */
function checkedChannels<C extends { type: string; name: string; enabled: boolean }>(channels: C[], ids: string[]): C[] {
  const unique = new Set(ids);
  if (channels.length !== unique.size) {
    throw new AppError(400, 'CHANNEL_NOT_FOUND', {}, [{ path: 'channelIds', message: 'unknown channel' }]);
  }
  for (const channel of channels) {
    if (!channel.enabled) throw new AppError(409, 'CHANNEL_DISABLED', { name: channel.name });
  }
  // Article channels first, so social posts are created (and listed) after the article.
  return channels.sort((a, b) => Number(a.type !== 'blog') - Number(b.type !== 'blog'));
}

/**
 * The organisation's publication windows (PRODUCT.md flow step 4). Times are checked where they
 * are set (create, edit, post edit) and again where they become binding (submit, approve): the
 * policy may have changed in between. Crisis releases skip the windows.
 */
function windowPolicy(org: { policy: unknown; timezone: string } | null): WindowPolicy {
  return { windows: windowsFromPolicy(org?.policy), timezone: org?.timezone ?? 'Europe/Berlin' };
}

async function uniqueSlug(tx: Sql, orgId: string, title: string): Promise<string> {
  const base = slugify(title);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await slugExists(tx, orgId, candidate))) return candidate;
  }
}

async function composeContext(tx: Tx, deps: Deps, orgId: string, releaseSlug: string, channels: ChannelRef[]): Promise<ComposeContext> {
  return composeContextOf(deps, await findOrgById(tx, orgId), releaseSlug, channels);
}

function composeContextOf(deps: Deps, org: { slug: string; policy: unknown } | null, releaseSlug: string, channels: ChannelRef[]): ComposeContext {
  return {
    publicUrl: deps.config.publicUrl,
    orgSlug: org?.slug ?? '',
    releaseSlug,
    guidelines: guidelinesFromPolicy(org?.policy),
    channelTypes: channels.map((c) => c.type),
    wordpressSettings: channels.find((c) => c.type === 'wordpress')?.settings,
  };
}

function releaseText(r: { title: string; subtitle: string | null; dateline: string | null; body: string; language: string }, media?: MediaItem[]) {
  return { title: r.title, subtitle: r.subtitle, dateline: r.dateline, body: r.body, language: r.language, media };
}

function snapshot(release: ReleaseWithPosts) {
  return {
    title: release.title,
    subtitle: release.subtitle,
    dateline: release.dateline,
    body: release.body,
    embargoUntil: release.embargoUntil,
    publishAt: release.publishAt,
    crisis: release.crisis,
    posts: release.posts.map((p) => ({ id: p.id, channelId: p.channelId, content: p.content, publishAt: p.publishAt })),
  };
}

/**
 * Creates a release with one post per channel. Plain SQL on one pool connection (store/db.ts
 * `sqlTransaction`), no Prisma: at 100 creates a second Prisma's per-query compilation was a third
 * of the CPU. Besides the audit event two round trips: one read (organisation, channels, slug),
 * one write (release, posts and revision 1 in one statement); nothing is read back: the rows are
 * built here (store newReleaseRows). The audit event is `audit()`'s, appended by the plain-SQL
 * twin of appendAudit (same lock, same chain) in the same transaction.
 */
export async function createRelease(deps: Deps, actor: Actor, input: ReleaseInput): Promise<ReleaseWithPosts> {
  assertNotBeforeEmbargo(input.embargoUntil ?? null, input.publishAt);
  return sqlTransaction(deps.db, async (tx) => {
    const base = slugify(input.title);
    const found = await readCreationContext(tx, actor.orgId, input.channelIds, base);
    // No time yet ("as soon as approved") is checked at approval, when it becomes one.
    assertInPublicationWindow(windowPolicy(found.org), input.crisis ?? false, [
      releaseTime({ publishAt: input.publishAt ?? null, embargoUntil: input.embargoUntil ?? null }),
    ]);
    const channels = checkedChannels(found.channels, input.channelIds);
    const slug = found.slugTaken ? await uniqueSlug(tx, actor.orgId, input.title) : base;
    const fields = {
      orgId: actor.orgId,
      slug,
      title: input.title,
      subtitle: input.subtitle ?? null,
      dateline: input.dateline ?? null,
      body: input.body,
      language: input.language ?? 'de',
      embargoUntil: input.embargoUntil ?? null,
      publishAt: input.publishAt ?? null,
      crisis: input.crisis ?? false,
      authorId: actor.userId,
    };
    const ctx = composeContextOf(deps, found.org, slug, channels);
    const posts = channels.map((channel) => {
      const composed = composeForChannel(releaseText(fields, input.media), channel, ctx);
      return { channelId: channel.id, channelType: channel.type, content: composed.content, length: composed.length, warnings: composed.warnings };
    });
    const release = newReleaseRows(fields, posts, deps.now());
    await insertReleaseWithPosts(tx, release, { editorId: actor.userId, snapshot: snapshot(release) });
    await appendAuditSql(tx, { ...auditActor(actor), action: 'release.created', entityType: 'release', entityId: release.id, data: { title: release.title, revision: 1 } });
    return release;
  });
}

export async function getRelease(deps: Deps, actor: Actor, id: string): Promise<ReleaseWithPosts> {
  const release = await findReleaseConsistent(deps.db, actor.orgId, id);
  if (!release) throw notFound('release');
  return release;
}

export function listReleases(deps: Deps, actor: Actor, status?: string) {
  return selectReleases(deps.db, actor.orgId, status);
}

/**
 * Records a new revision: the editor joins the four-eyes exclusion list, any approval is voided
 * and a scheduled release goes back to draft (its unpublished posts with it).
 */
async function newRevision(tx: Tx, actor: Actor, release: ReleaseWithPosts, reason: string, detail: Record<string, unknown> = {}): Promise<ReleaseWithPosts> {
  const revision = release.revision + 1;
  const wasScheduled = release.status === 'scheduled';
  const editorIds = release.editorIds.includes(actor.userId) || release.authorId === actor.userId
    ? release.editorIds
    : [...release.editorIds, actor.userId];
  await writeRelease(tx, release.id, {
    revision,
    editorIds,
    ...(wasScheduled ? { status: 'draft', approvedById: null, approvedAt: null } : {}),
  });
  await tx.post.updateMany({
    where: { releaseId: release.id, status: { in: ['draft', 'scheduled', 'held'] } },
    data: { revision, ...(wasScheduled ? { status: 'draft', dueAt: null, approvedHash: null, heldReason: null } : {}) },
  });
  if (wasScheduled) {
    await voidApprovals(tx, release.id, reason);
    await audit(tx, actor, 'release.approval_voided', { type: 'release', id: release.id }, { reason, revision, ...detail });
  }
  const updated = (await findRelease(tx, actor.orgId, release.id))!;
  await addRevision(tx, { releaseId: release.id, revision, editorId: actor.userId, snapshot: snapshot(updated) });
  return updated;
}

/** Posts that have not gone out yet and would go out under an approval. */
const UNSENT_STATUSES = ['draft', 'scheduled', 'held'];

/**
 * A channel now publishes somewhere else (services/channels.ts `update`, same transaction). Every
 * approval covering a post still to be sent on it is void, exactly as after an edit: the release
 * gets a new revision (queued jobs of the old one are skipped), goes back to draft with its posts,
 * and whoever moved the channel joins its editors, so the new destination needs a second person.
 * Releases in review are locked too: an approval running meanwhile either finishes first (and is
 * voided here) or waits and hashes the new target.
 */
export async function voidApprovalsForChannel(tx: Tx, actor: Actor, channelId: string): Promise<string[]> {
  const candidates = await tx.release.findMany({
    where: { orgId: actor.orgId, status: { in: ['in_review', 'scheduled'] }, posts: { some: { channelId, status: { in: UNSENT_STATUSES } } } },
    select: { id: true },
    // One lock order for everybody, so two channel updates cannot deadlock.
    orderBy: { id: 'asc' },
  });
  const voided: string[] = [];
  for (const { id } of candidates) {
    const release = await lockRelease(tx, actor.orgId, id);
    if (release?.status !== 'scheduled') continue;
    if (!release.posts.some((p) => p.channelId === channelId && UNSENT_STATUSES.includes(p.status))) continue;
    await newRevision(tx, actor, release, 'channel_target_changed', { channelId });
    voided.push(id);
  }
  return voided;
}

function assertEditable(actor: Actor, release: ReleaseWithPosts) {
  assertStatus(release.status, EDITABLE_STATUSES);
  if (release.posts.some((p) => p.status === 'publishing')) {
    throw new AppError(409, 'INVALID_STATUS', { status: 'publishing' });
  }
  void actor;
}

export async function updateRelease(deps: Deps, actor: Actor, id: string, patch: ReleasePatch): Promise<ReleaseWithPosts> {
  return deps.db.$transaction(async (tx) => {
    const release = await lockRelease(tx, actor.orgId, id);
    if (!release) throw notFound('release');
    assertEditable(actor, release);
    const next = {
      title: patch.title ?? release.title,
      subtitle: patch.subtitle === undefined ? release.subtitle : patch.subtitle,
      dateline: patch.dateline === undefined ? release.dateline : patch.dateline,
      body: patch.body ?? release.body,
      embargoUntil: patch.embargoUntil === undefined ? release.embargoUntil : patch.embargoUntil,
      publishAt: patch.publishAt === undefined ? release.publishAt : patch.publishAt,
      crisis: patch.crisis ?? release.crisis,
      language: patch.language ?? release.language,
    };
    assertNotBeforeEmbargo(next.embargoUntil, next.publishAt, ...release.posts.map((p) => p.publishAt));

    const channelIds = patch.channelIds ?? release.posts.map((p) => p.channelId);
    const channels = await loadChannels(tx, actor.orgId, channelIds);
    await writeRelease(tx, release.id, next);

    const ctx = await composeContext(tx, deps, actor.orgId, release.slug, channels);
    const text = releaseText(next, patch.media ?? mediaOf(release));
    const wanted = new Set(channels.map((c) => c.id));
    for (const post of release.posts) {
      if (!wanted.has(post.channelId) && post.status !== 'published') await deletePost(tx, post.id);
    }
    for (const channel of channels) {
      const existing = release.posts.find((p) => p.channelId === channel.id);
      if (existing?.status === 'published') continue;
      if (existing && existing.edited && !patch.regenerate) continue;
      const composed = composeForChannel(text, channel, ctx);
      if (existing) {
        await updatePost(tx, existing.id, {
          content: composed.content as object,
          length: composed.length,
          warnings: composed.warnings as object[],
          edited: false,
        });
      } else {
        await createPost(tx, {
          orgId: actor.orgId,
          releaseId: release.id,
          channelId: channel.id,
          channelType: channel.type,
          content: composed.content as object,
          length: composed.length,
          warnings: composed.warnings as object[],
          revision: release.revision,
        });
      }
    }
    const fresh = (await findRelease(tx, actor.orgId, release.id))!;
    assertInPublicationWindow(windowPolicy(await findOrgById(tx, actor.orgId)), fresh.crisis, plannedTimes(fresh, fresh.posts));
    const updated = await newRevision(tx, actor, fresh, 'release edited');
    await audit(tx, actor, 'release.edited', { type: 'release', id: release.id }, {
      revision: updated.revision,
      fields: Object.keys(patch),
    });
    return updated;
  });
}

function mediaOf(release: ReleaseWithPosts): MediaItem[] | undefined {
  for (const post of release.posts) {
    const media = (post.content as PostContent).media;
    if (media?.length) return media;
  }
  return undefined;
}

export async function updatePostContent(
  deps: Deps,
  actor: Actor,
  postId: string,
  patch: { content?: PostContent; publishAt?: Date | null },
) {
  return deps.db.$transaction(async (tx) => {
    const post = await findPost(tx, actor.orgId, postId);
    if (!post) throw notFound('post');
    const release = await lockRelease(tx, actor.orgId, post.releaseId);
    if (!release) throw notFound('post');
    assertEditable(actor, release);
    if (!['draft', 'scheduled', 'held'].includes(post.status)) throw new AppError(409, 'INVALID_STATUS', { status: post.status });
    if (patch.publishAt !== undefined) assertNotBeforeEmbargo(release.embargoUntil, patch.publishAt);
    const publishAt = patch.publishAt === undefined ? post.publishAt : patch.publishAt;
    assertInPublicationWindow(windowPolicy(await findOrgById(tx, actor.orgId)), release.crisis, [
      publishAt ? { path: 'publishAt', at: publishAt } : releaseTime(release),
    ]);

    const data: Record<string, unknown> = {};
    if (patch.content) {
      const channel = { id: post.channelId, type: post.channelType, settings: (await tx.channel.findUnique({ where: { id: post.channelId } }))?.settings };
      const measured = remeasure(channel, patch.content, guidelinesFromPolicy((await findOrgById(tx, actor.orgId))?.policy));
      Object.assign(data, { content: measured.content as object, length: measured.length, warnings: measured.warnings as object[], edited: true });
    }
    if (patch.publishAt !== undefined) data.publishAt = patch.publishAt;
    await updatePost(tx, post.id, data);
    const updated = await newRevision(tx, actor, (await findRelease(tx, actor.orgId, release.id))!, 'post edited');
    await audit(tx, actor, 'post.edited', { type: 'post', id: post.id }, { revision: updated.revision, fields: Object.keys(patch) });
    return updated.posts.find((p) => p.id === post.id)!;
  });
}

export async function submitRelease(deps: Deps, actor: Actor, id: string): Promise<ReleaseWithPosts> {
  return deps.db.$transaction(async (tx) => {
    const release = await lockRelease(tx, actor.orgId, id);
    if (!release) throw notFound('release');
    assertStatus(release.status, ['draft']);
    const org = await findOrgById(tx, actor.orgId);
    assertSubmittable(release.posts, guidelinesFromPolicy(org?.policy));
    assertInPublicationWindow(windowPolicy(org), release.crisis, plannedTimes(release, release.posts));
    if (release.posts.length === 0) throw invalid('VALIDATION_FAILED', [{ path: 'channelIds', message: 'no channel' }]);
    await writeRelease(tx, release.id, { status: 'in_review', rejectedById: null, rejectionComment: null });
    await audit(tx, actor, 'release.submitted', { type: 'release', id }, { revision: release.revision });
    return (await findRelease(tx, actor.orgId, id))!;
  });
}

function publishable(release: ReleaseWithPosts, targets: Map<string, ChannelTarget>): { r: PublishableRelease; posts: (PublishablePost & { target: ChannelTarget })[] } {
  return {
    r: { id: release.id, revision: release.revision, embargoUntil: release.embargoUntil, publishAt: release.publishAt, crisis: release.crisis },
    posts: release.posts.map((p) => ({
      id: p.id,
      channelId: p.channelId,
      channelType: p.channelType,
      content: p.content as PostContent,
      publishAt: p.publishAt,
      target: targets.get(p.channelId)!,
    })),
  };
}

/**
 * A channel's target identity as it is stored now (domain/channel-target.ts). Some networks keep
 * the account name beside the secret: only then are the credentials decrypted. Unreadable
 * credentials count as "no account"; such a post fails when the worker needs them anyway.
 */
export function targetOf(channel: { type: string; settings: unknown; credentialsEnc: string | null }, keys: SecretKey[]): ChannelTarget {
  let credentials: Record<string, unknown> | null = null;
  if (channel.credentialsEnc && targetNeedsCredentials(channel.type)) {
    try {
      credentials = decryptJson(channel.credentialsEnc, keys);
    } catch {
      credentials = null;
    }
  }
  return channelTarget(channel.type, channel.settings, credentials);
}

async function channelTargets(tx: Tx, deps: Deps, orgId: string, channelIds: string[]): Promise<Map<string, ChannelTarget>> {
  const channels = await findChannelsByIds(tx, orgId, [...new Set(channelIds)]);
  return new Map(channels.map((c) => [c.id, targetOf(c, deps.config.secretKeys)]));
}

type HashedRelease = { id: string; revision: number; embargoUntil: Date | null; publishAt: Date | null; crisis: boolean };
type HashedPost = { id: string; channelId: string; channelType: string; content: unknown; publishAt: Date | null };

function hashInput(release: HashedRelease, post: HashedPost, target: ChannelTarget) {
  return {
    r: { id: release.id, revision: release.revision, embargoUntil: release.embargoUntil, publishAt: release.publishAt, crisis: release.crisis },
    p: { id: post.id, channelId: post.channelId, channelType: post.channelType, content: post.content as PostContent, publishAt: post.publishAt, target },
  };
}

/** The approval hash of a post (content, times and where its channel publishes), as stored on approval. */
export function postHashOf(release: HashedRelease, post: HashedPost, target: ChannelTarget): string {
  const { r, p } = hashInput(release, post, target);
  return approvalHash(r, p);
}

/** The worker's last check: is this post, on its channel as configured now, what was approved? */
export function isApprovedAsIs(approvedHash: string | null, release: HashedRelease, post: HashedPost, target: ChannelTarget): boolean {
  const { r, p } = hashInput(release, post, target);
  return matchesApproval(approvedHash, r, p);
}

export async function approveRelease(deps: Deps, actor: Actor, id: string, revision: number): Promise<ReleaseWithPosts> {
  if (!hasRole(actor, 'approver')) throw forbidden();
  const due = await auditingRefusals(deps, actor, 'release.approve', { type: 'release', id }, () =>
    deps.db.$transaction(async (tx) => {
      const release = await lockRelease(tx, actor.orgId, id);
      if (!release) throw notFound('release');
      assertMayApprove(release, actor.userId);
      const [approver] = await findPasswordSetters(tx, actor.orgId, [actor.userId]);
      assertApproverAccountIndependent(release, { id: actor.userId, passwordSetById: approver?.passwordSetById ?? null });
      assertStatus(release.status, ['in_review']);
      assertCurrentRevision(release.revision, revision);

      const now = deps.now();
      // Read after the release lock: a channel update voiding this release waits for it, or we for it.
      const targets = await channelTargets(tx, deps, actor.orgId, release.posts.map((p) => p.channelId));
      const { r, posts } = publishable(release, targets);
      const contentHash = packageHash(r, posts);
      const org = await findOrgById(tx, actor.orgId);
      assertInPublicationWindow(windowPolicy(org), release.crisis, approvalTimes(release, release.posts, now));
      await createApproval(tx, { releaseId: id, revision, contentHash, approverId: actor.userId });
      for (const post of release.posts) {
        if (post.status !== 'draft') continue;
        await updatePost(tx, post.id, {
          status: org?.paused ? 'held' : 'scheduled',
          heldReason: org?.paused ? 'paused' : null,
          dueAt: dueAt(release, post, now),
          notBefore: release.embargoUntil,
          approvedHash: postHashOf(release, post, targets.get(post.channelId)!),
          priority: release.crisis ? 1 : 10,
        });
      }
      await writeRelease(tx, id, { status: 'scheduled', approvedById: actor.userId, approvedAt: now });
      await audit(tx, actor, 'release.approved', { type: 'release', id }, { revision, contentHash });
      return (await findRelease(tx, actor.orgId, id))!;
    }),
  );
  // The sweep would find these posts too; enqueueing now only saves the wait for it.
  await enqueueDue(deps, due.posts.filter((p) => p.status === 'scheduled').map((p) => p.id)).catch((err) =>
    deps.log.warn({ err }, 'enqueue after approval failed; the sweep will enqueue'),
  );
  return due;
}

export async function rejectRelease(deps: Deps, actor: Actor, id: string, comment: string): Promise<ReleaseWithPosts> {
  if (!hasRole(actor, 'approver')) throw forbidden();
  return deps.db.$transaction(async (tx) => {
    const release = await lockRelease(tx, actor.orgId, id);
    if (!release) throw notFound('release');
    assertStatus(release.status, ['in_review']);
    await writeRelease(tx, id, { status: 'draft', rejectedById: actor.userId, rejectionComment: comment });
    await audit(tx, actor, 'release.rejected', { type: 'release', id }, { revision: release.revision, comment });
    return (await findRelease(tx, actor.orgId, id))!;
  });
}

export async function cancelRelease(deps: Deps, actor: Actor, id: string): Promise<ReleaseWithPosts> {
  return deps.db.$transaction(async (tx) => {
    const release = await lockRelease(tx, actor.orgId, id);
    if (!release) throw notFound('release');
    // Editors cancel their own work; approvers may cancel anything (e.g. in a crisis).
    if (release.authorId !== actor.userId && !hasRole(actor, 'approver')) throw forbidden();
    assertStatus(release.status, ['draft', 'in_review', 'scheduled']);
    // A post being sent cannot be called back: it finishes and is recorded. An unconfirmed post
    // may be public already, so it keeps its status until an approver resolves it.
    await tx.post.updateMany({
      where: { releaseId: id, status: { in: ['draft', 'scheduled', 'held', 'failed'] } },
      data: { status: 'cancelled', heldReason: null },
    });
    await writeRelease(tx, id, { status: 'cancelled' });
    await voidApprovals(tx, id, 'cancelled');
    await audit(tx, actor, 'release.cancelled', { type: 'release', id }, { revision: release.revision });
    return (await findRelease(tx, actor.orgId, id))!;
  });
}
