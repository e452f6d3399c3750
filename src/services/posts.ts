// The calendar and what approvers do with posts that need a person: retry and resolve.
import type { Actor } from '../domain/actor';
import { hasRole } from '../domain/actor';
import { ARTICLE_CHANNELS, type ChannelType } from '../domain/types';
import { AppError, conflict, forbidden, notFound } from '../domain/errors';
import { findPost, findPostWithAttempts, listPostSummariesJson, listPosts, settlePost } from '../store/posts';
import { reopenForRetry, requeueArticleDependents } from '../store/post-recovery';
import { completeIfFinished } from '../store/releases';
import { findOrgById } from '../store/orgs';
import { message } from '../i18n/messages';
import { audit, auditingRefusals } from './audit';
import type { Deps } from './deps';
import { enqueueDue } from './scheduling';

export type PostFilter = { from?: Date; to?: Date; status?: string; channelId?: string };

export function calendar(deps: Deps, actor: Actor, filter: PostFilter) {
  return listPosts(deps.db, actor.orgId, filter);
}

/** The same posts as `calendar`, as the JSON text of `PostSummary[]`: what a calendar shows, no content. */
export function calendarSummaries(deps: Deps, actor: Actor, filter: PostFilter): Promise<string> {
  return listPostSummariesJson(deps.db, actor.orgId, filter);
}

/** One post with every attempt: what a person needs to decide about an unconfirmed post. */
export async function getPost(deps: Deps, actor: Actor, id: string) {
  const post = await findPostWithAttempts(deps.db, actor.orgId, id);
  if (!post) throw notFound('post');
  return post;
}

/**
 * An approver sends a failed, unconfirmed or held post again, now. The content is unchanged and
 * still covered by the approval; a new generation gives it a fresh job. Thread progress is kept,
 * so a thread continues after its last accepted part. A finished release opens again for it, and
 * retrying an article takes along the social posts that were refused only for want of it.
 */
export async function retryPost(deps: Deps, actor: Actor, id: string) {
  if (!hasRole(actor, 'approver')) throw forbidden();
  const { post, requeued } = await auditingRefusals(deps, actor, 'post.retry', { type: 'post', id }, () => deps.db.$transaction(async (tx) => {
    const post = await findPost(tx, actor.orgId, id);
    if (!post) throw notFound('post');
    if (!['failed', 'unconfirmed', 'held'].includes(post.status)) throw conflict('INVALID_STATUS', { status: post.status });
    const org = await findOrgById(tx, actor.orgId);
    if (org?.paused) throw conflict('ORG_PAUSED');
    // A cancelled release stays cancelled: its posts must not go out.
    const releaseStatus = await reopenForRetry(tx, actor.orgId, post.releaseId);
    if (releaseStatus === 'cancelled') throw conflict('RELEASE_CANCELLED');
    if (releaseStatus !== 'scheduled') throw conflict('INVALID_STATUS', { status: releaseStatus ?? 'unknown' });
    const { count } = await settlePost(tx, id, [post.status], {
      status: 'scheduled',
      heldReason: null,
      generation: { increment: 1 },
      dueAt: deps.now(),
    });
    if (count === 0) throw conflict('INVALID_STATUS', { status: post.status });
    const requeued = isArticle(post.channelType) ? await requeueArticleDependents(tx, actor.orgId, post.releaseId, deps.now()) : [];
    await audit(tx, actor, 'post.retry', { type: 'post', id }, { from: post.status, ...(requeued.length > 0 ? { requeued } : {}) });
    return { post: (await findPost(tx, actor.orgId, id))!, requeued };
  }));
  await enqueueDue(deps, [post.id, ...requeued]).catch((err) => deps.log.warn({ err }, 'enqueue after retry failed; the sweep will'));
  return post;
}

/**
 * A person checked the network: the unconfirmed post did or did not appear. An article that did
 * appear lets its social posts go out (they were refused while it was unknown).
 */
export async function resolvePost(deps: Deps, actor: Actor, id: string, outcome: { published: boolean; externalUrl?: string }) {
  if (!hasRole(actor, 'approver')) throw forbidden();
  const { post, requeued } = await auditingRefusals(deps, actor, 'post.resolve', { type: 'post', id }, () => deps.db.$transaction(async (tx) => {
    const post = await findPost(tx, actor.orgId, id);
    if (!post) throw notFound('post');
    if (post.status !== 'unconfirmed') throw new AppError(409, 'INVALID_STATUS', { status: post.status });
    await settlePost(tx, id, ['unconfirmed'], outcome.published
      ? { status: 'published', externalUrl: outcome.externalUrl ?? post.externalUrl, publishedAt: deps.now(), errorCode: null, errorMessage: null }
      : { status: 'failed', errorCode: 'NOT_PUBLISHED_CONFIRMED', errorMessage: message('NOT_PUBLISHED_CONFIRMED') });
    const requeued = outcome.published && isArticle(post.channelType) ? await requeueArticleDependents(tx, actor.orgId, post.releaseId, deps.now()) : [];
    await audit(tx, actor, 'post.resolved', { type: 'post', id }, { ...outcome, ...(requeued.length > 0 ? { requeued } : {}) });
    await completeIfFinished(tx, post.releaseId);
    return { post: (await findPost(tx, actor.orgId, id))!, requeued };
  }));
  await enqueueDue(deps, requeued).catch((err) => deps.log.warn({ err }, 'enqueue after resolve failed; the sweep will'));
  return post;
}

function isArticle(channelType: string): boolean {
  return ARTICLE_CHANNELS.includes(channelType as ChannelType);
}
