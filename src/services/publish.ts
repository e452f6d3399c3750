// Publishing one post: the heart of the reliability promise.
//
// 1. Read the post (one query) and check it is still the approved, due, current revision, the
//    organisation not paused and the channel usable; then, in one statement, move the post
//    scheduled → publishing and record the attempt — a compare-and-set that re-checks the pause
//    under a share lock and everything else read (store/publishing.ts). It commits before the
//    network is called.
// 2. The outcome is recorded with a compare-and-set from `publishing`, so a post is never
//    published twice: a job that finds its post already `publishing` knows its earlier run died
//    mid-call and marks the post `unconfirmed` instead of sending again.
import { ChannelError, type ChannelAdapter, type PublishContext, type PublishResult } from '../channels/channel';
import { adapterFor } from '../channels/registry';
import type { ChannelType, PostContent } from '../domain/types';
import { message } from '../i18n/messages';
import { createMediaFetcher } from '../channels/fetch-media';
import { decryptJson, encryptJson } from '../security/credentials';
import { assertChannelHostAllowed, withOutboundPolicy } from '../security/outbound';
import { markNeedsReauth } from '../store/channels';
import { isConnectionError, type Tx } from '../store/db';
import { finishAttempt, holdScheduledPosts, settlePost } from '../store/posts';
import { claimForPublishing, loadPublishablePost, recordPublication, type PublishablePost } from '../store/publishing';
import { completeIfFinished } from '../store/releases';
import { withArticleLink } from './article-link';
import { audit } from './audit';
import { renewChannelCredentials } from './channel-credentials';
import type { Deps } from './deps';
import { blockChannel, blockedMs, channelWaitMs, wakeAfter } from './rate-limit';
import { isApprovedAsIs, targetOf } from './releases';

export interface PublishJob {
  postId: string;
  revision: number;
  generation: number;
}

export type PublishOutcome =
  | { kind: 'skipped'; reason: string }
  /** Not yet: e.g. the article this post links to is not public yet. Not an attempt. */
  | { kind: 'wait'; ms: number }
  | { kind: 'published'; externalId: string; externalUrl: string }
  /** A transient failure: the queue retries (after retryAfterMs if the network said so). */
  | { kind: 'retry'; code: string; retryAfterMs?: number }
  /** Finished without success (failed, held, unconfirmed): never retried by the queue. */
  | { kind: 'final'; status: string; code: string };

const ARTICLE_WAIT_MS = 1_000;
const system = (orgId: string) => ({ orgId, system: true as const });

type LoadedPost = PublishablePost;

/** The post with its release (and the release's posts), channel and organisation: one query. */
function loadPost(deps: Deps, id: string): Promise<LoadedPost | null> {
  return loadPublishablePost(deps.db, id);
}

/** The release's article: the built-in blog when there is one (as compose plans the link), else WordPress. */
function articleOf(post: LoadedPost) {
  const live = post.release.posts.filter((p) => p.status !== 'cancelled');
  return live.find((p) => p.channelType === 'blog') ?? live.find((p) => p.channelType === 'wordpress');
}

type Claimed = { post: LoadedPost; attemptId: string; orgSlug: string; articleUrl: string | null };

async function fail(tx: Tx, post: LoadedPost, status: 'failed' | 'held', code: string, heldReason?: string) {
  await settlePost(tx, post.id, ['scheduled', 'publishing'], {
    status,
    heldReason: heldReason ?? null,
    errorCode: code,
    errorMessage: message(code),
  });
  await audit(tx, system(post.orgId), `post.${status}`, { type: 'post', id: post.id }, { code });
}

/** Held, not failed: the organisation is paused or the channel needs new credentials. */
async function hold(deps: Deps, post: LoadedPost, reason: 'paused' | 'reauth', code: string): Promise<PublishOutcome> {
  await settlePost(deps.db, post.id, ['scheduled'], { status: 'held', heldReason: reason });
  return { kind: 'final', status: 'held', code };
}

/**
 * Reads the post and checks it (no transaction: nothing is written unless a check fails), then
 * claims it with one compare-and-set that re-checks what could have changed since the read —
 * above all the organisation's pause, under a share lock (see claimForPublishing).
 */
async function claim(deps: Deps, job: PublishJob, workerId: string): Promise<Claimed | PublishOutcome> {
  const post = await loadPost(deps, job.postId);
  if (!post) return { kind: 'skipped', reason: 'gone' };
  if (post.revision !== job.revision || post.generation !== job.generation) return { kind: 'skipped', reason: 'superseded' };
  if (post.status === 'publishing') return { kind: 'skipped', reason: 'stalled' };
  if (post.status !== 'scheduled') return { kind: 'skipped', reason: post.status };
  if (post.dueAt && post.dueAt.getTime() > Date.now()) return { kind: 'wait', ms: post.dueAt.getTime() - Date.now() };

  if (post.org.paused) return hold(deps, post, 'paused', 'ORG_PAUSED');
  if (post.channel.status === 'needs_reauth') return hold(deps, post, 'reauth', 'AUTH_EXPIRED');
  if (!post.channel.enabled) {
    await deps.db.$transaction((tx) => fail(tx, post, 'failed', 'CHANNEL_DISABLED'));
    return { kind: 'final', status: 'failed', code: 'CHANNEL_DISABLED' };
  }
  // Four-eyes, enforced at the last moment: only the exact approved content goes out, and only
  // to the place the channel published to at approval (a moved channel fails here, visibly).
  if (!isApprovedAsIs(post.approvedHash, post.release, post, targetOf(post.channel, deps.config.secretKeys)) || post.release.status !== 'scheduled') {
    await deps.db.$transaction((tx) => fail(tx, post, 'failed', 'NOT_APPROVED'));
    return { kind: 'final', status: 'failed', code: 'NOT_APPROVED' };
  }

  let articleUrl: string | null = null;
  const isArticle = post.channelType === 'blog' || post.channelType === 'wordpress';
  const article = articleOf(post);
  if (!isArticle && article) {
    if (article.status === 'published') articleUrl = article.externalUrl;
    else if (article.status === 'failed' || article.status === 'unconfirmed') {
      await deps.db.$transaction((tx) => fail(tx, post, 'failed', 'ARTICLE_FAILED'));
      return { kind: 'final', status: 'failed', code: 'ARTICLE_FAILED' };
    } else return { kind: 'wait', ms: ARTICLE_WAIT_MS };
  }

  const waitMs = await channelWaitMs(deps, post.channelId, (post.channel.settings ?? {}) as Record<string, unknown>);
  if (waitMs > 0) return { kind: 'wait', ms: wakeAfter(waitMs) };

  const claimed = await claimForPublishing(deps.db, post, workerId);
  if (!claimed.claimed) {
    // Paused since the read: held like the rest of the organisation's posts.
    if (claimed.paused) return hold(deps, post, 'paused', 'ORG_PAUSED');
    return { kind: 'skipped', reason: 'claimed elsewhere' };
  }
  return { post, attemptId: claimed.attemptId, orgSlug: post.org.slug, articleUrl };
}

export async function publishPost(
  deps: Deps,
  job: PublishJob,
  opts: { workerId: string; lastAttempt: boolean },
): Promise<PublishOutcome> {
  const claimed = await claim(deps, job, opts.workerId);
  if ('kind' in claimed) {
    // This job ran before and its worker died between "attempt recorded" and "outcome recorded".
    if (claimed.kind === 'skipped' && claimed.reason === 'stalled') return settleInterrupted(deps, job.postId, 'WORKER_DIED');
    return claimed;
  }
  const { post, attemptId } = claimed;
  const adapter = adapterFor(post.channelType as ChannelType);
  const settings = (post.channel.settings ?? {}) as Record<string, unknown>;

  let credentials: Record<string, unknown> = {};
  try {
    if (post.channel.credentialsEnc) credentials = decryptJson(post.channel.credentialsEnc, deps.config.secretKeys);
  } catch (err) {
    deps.log.error({ postId: post.id, err: (err as Error).message }, 'credentials unreadable');
    return settleFailure(deps, post, attemptId, new ChannelError('permanent', 'CREDENTIALS_UNREADABLE', 'decrypt failed'), opts);
  }

  const ctx = publishContext(deps, post, claimed.orgSlug);
  const content = withArticleLink(post.content as PostContent, claimed.articleUrl, post.channelType as ChannelType);

  // A 429 of another job may have arrived since the claim: check once more, right before sending.
  let blocked: number;
  try {
    blocked = await blockedMs(deps, post.channelId);
  } catch (err) {
    // Redis is unreachable (it is restarting, say). Nothing was sent: give the claim back, or the
    // post would stay `publishing` and the sweep would take it for an interrupted call
    // (unconfirmed). The queue, or the sweep once Redis is back, tries again.
    deps.log.warn({ postId: post.id, err: (err as Error).message }, 'rate-limit check failed before sending; not sent');
    await withDbRetry(deps, () =>
      deps.db.$transaction(async (tx) => {
        await finishAttempt(tx, attemptId, 'retry', { code: 'SERVICE_UNAVAILABLE', message: message('SERVICE_UNAVAILABLE') }, { sent: false });
        await settlePost(tx, post.id, ['publishing'], { status: 'scheduled' });
      }),
    );
    return { kind: 'retry', code: 'SERVICE_UNAVAILABLE' };
  }
  if (blocked > 0) {
    await deps.db.$transaction(async (tx) => {
      await finishAttempt(tx, attemptId, 'rate_limited', { code: 'RATE_LIMITED', message: message('RATE_LIMITED') }, { retryAfterMs: blocked, sent: false });
      await settlePost(tx, post.id, ['publishing'], { status: 'scheduled' });
    });
    return { kind: 'wait', ms: wakeAfter(blocked) };
  }

  let result: PublishResult | null = null;
  let foundBy: 'publish' | 'lookup' = 'publish';
  // The adapter's HTTP clients judge every address they connect to by this (DNS rebinding); the
  // check before gives the clear early error, and is all an IP literal needs.
  const outbound = { allow: deps.config.allowPrivateHosts };
  try {
    await assertChannelHostAllowed(settings, outbound.allow);
    result = await withOutboundPolicy(outbound, () => adapter.publish(content, settings, credentials, ctx));
  } catch (err) {
    const channelError =
      err instanceof ChannelError
        ? err
        : // Anything unexpected after the attempt was recorded may have reached the network.
          new ChannelError('unknown_outcome', 'UNKNOWN_ERROR', (err as Error)?.message ?? String(err));
    if (channelError.kind === 'unknown_outcome' && adapter.findExisting) {
      // The network may have taken the post: look before deciding, so a person only has to
      // confirm what Herold really cannot know.
      result = await withOutboundPolicy(outbound, async () => (await adapter.findExisting?.(content, settings, credentials, ctx)) ?? null).catch(() => null);
      foundBy = 'lookup';
    }
    if (!result) return settleFailure(deps, post, attemptId, channelError, opts);
  }
  // The post is public now: recording that must survive a database restart, or a later run
  // would only know "publishing" and mark it unconfirmed.
  const published = result;
  await withDbRetry(deps, () => recordPublished(deps, post, attemptId, published, foundBy));
  return { kind: 'published', ...published };
}

function publishContext(deps: Deps, post: LoadedPost, orgSlug: string): PublishContext {
  return {
    postId: post.id,
    // Stable for this revision of the post: a network that honours it never posts twice.
    idempotencyKey: `${post.id}-r${post.revision}`,
    orgSlug,
    releaseSlug: post.release.slug,
    publicUrl: deps.config.publicUrl,
    progress: (post.progress ?? {}) as object,
    saveProgress: async (progress) => {
      await deps.db.post.update({ where: { id: post.id }, data: { progress: progress as object } });
    },
    saveCredentials: async (fresh) => {
      await deps.db.channel.update({ where: { id: post.channelId }, data: { credentialsEnc: encryptJson(fresh, deps.config.secretKeys) } });
    },
    renewCredentials: (renew) => renewChannelCredentials(deps, post.channelId, renew),
    fetchMedia: createMediaFetcher({ allowPrivate: deps.config.allowPrivateMedia }),
  };
}

/**
 * An attempt whose worker died mid-call. Where the network makes a re-send harmless (idempotency
 * key, deterministic record key) the post simply goes again; where Herold can read the account's
 * recent posts it looks; only what remains unknowable becomes `unconfirmed` for a person.
 */
export async function settleInterrupted(deps: Deps, postId: string, code: string): Promise<PublishOutcome> {
  const post = await loadPost(deps, postId);
  if (!post || post.status !== 'publishing') return { kind: 'skipped', reason: post?.status ?? 'gone' };
  const adapter = adapterFor(post.channelType as ChannelType);
  if (adapter.idempotent) {
    await deps.db.$transaction(async (tx) => {
      const { count } = await settlePost(tx, postId, ['publishing'], { status: 'scheduled' });
      if (count === 0) return;
      await tx.publicationAttempt.updateMany({
        where: { postId, finishedAt: null },
        data: { finishedAt: new Date(), outcome: 'interrupted', errorCode: code, errorMessage: message(code) },
      });
    });
    return { kind: 'wait', ms: 0 };
  }
  if (adapter.findExisting) {
    const attempt = await deps.db.publicationAttempt.findFirst({ where: { postId, finishedAt: null }, orderBy: { number: 'desc' } });
    const found = await lookUp(deps, adapter, post, post.org.slug);
    if (found && attempt) {
      await withDbRetry(deps, () => recordPublished(deps, post, attempt.id, found, 'lookup'));
      return { kind: 'published', ...found };
    }
  }
  await markUnconfirmed(deps, postId, code);
  return { kind: 'final', status: 'unconfirmed', code };
}

async function lookUp(deps: Deps, adapter: ChannelAdapter, post: LoadedPost, orgSlug: string): Promise<PublishResult | null> {
  try {
    const credentials = post.channel.credentialsEnc ? decryptJson(post.channel.credentialsEnc, deps.config.secretKeys) : {};
    // Look for what was sent: with the article's final link, if it was swapped in.
    const article = articleOf(post);
    const content = withArticleLink(post.content as PostContent, article?.status === 'published' ? article.externalUrl : null, post.channelType as ChannelType);
    const settings = (post.channel.settings ?? {}) as Record<string, unknown>;
    const outbound = { allow: deps.config.allowPrivateHosts };
    await assertChannelHostAllowed(settings, outbound.allow);
    return (await withOutboundPolicy(outbound, async () => adapter.findExisting?.(content, settings, credentials, publishContext(deps, post, orgSlug)))) ?? null;
  } catch (err) {
    deps.log.warn({ postId: post.id, err: (err as Error).message }, 'lookup of an interrupted post failed');
    return null;
  }
}

async function recordPublished(deps: Deps, post: LoadedPost, attemptId: string, result: PublishResult, foundBy: string) {
  await recordPublication(deps.db, {
    postId: post.id,
    orgId: post.orgId,
    releaseId: post.releaseId,
    channelType: post.channelType,
    attemptId,
    externalId: result.externalId,
    externalUrl: result.externalUrl,
    foundBy,
  });
}

/** Retries while PostgreSQL is unreachable (up to about a minute), then gives up loudly. */
async function withDbRetry<T>(deps: Deps, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (!isConnectionError(err) || attempt >= 12) throw err;
      deps.log.warn({ attempt, err: (err as Error).message }, 'database unavailable while recording an outcome; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 10_000)));
    }
  }
}

async function settleFailure(
  deps: Deps,
  post: LoadedPost,
  attemptId: string,
  err: ChannelError,
  opts: { lastAttempt: boolean },
): Promise<PublishOutcome> {
  deps.log.warn({ postId: post.id, channel: post.channelType, kind: err.kind, code: err.code, detail: err.message }, 'publish failed');
  const error = { code: err.code, message: message(err.code) };
  const detail = { kind: err.kind, detail: err.message, status: err.options.status, retryAfterMs: err.options.retryAfterMs };
  return deps.db.$transaction(async (tx): Promise<PublishOutcome> => {
    switch (err.kind) {
      case 'retryable': {
        if (err.code === 'RATE_LIMITED' && err.options.retryAfterMs !== undefined) {
          // Not a failure: the network named the time. The channel waits (every worker sees it),
          // the post stays scheduled, and the attempt log shows the wait.
          // Best effort: with Redis down the wait is still honoured by this job's own delay.
          await blockChannel(deps, post.channelId, err.options.retryAfterMs).catch((e) => deps.log.warn({ err: (e as Error).message }, 'channel block not stored'));
          await finishAttempt(tx, attemptId, 'rate_limited', error, detail);
          await settlePost(tx, post.id, ['publishing'], { status: 'scheduled', errorCode: err.code, errorMessage: error.message });
          return { kind: 'wait', ms: wakeAfter(err.options.retryAfterMs) };
        }
        const last = opts.lastAttempt;
        await finishAttempt(tx, attemptId, last ? 'failed' : 'retry', error, detail);
        await settlePost(tx, post.id, ['publishing'], { status: last ? 'failed' : 'scheduled', errorCode: err.code, errorMessage: error.message });
        if (last) {
          await audit(tx, system(post.orgId), 'post.failed', { type: 'post', id: post.id }, { code: err.code });
          await completeIfFinished(tx, post.releaseId);
          return { kind: 'final', status: 'failed', code: err.code };
        }
        return { kind: 'retry', code: err.code, retryAfterMs: err.options.retryAfterMs };
      }
      case 'auth': {
        // Only this channel stops: it needs new credentials; its posts wait, nothing fails.
        await finishAttempt(tx, attemptId, 'held', error, detail);
        await settlePost(tx, post.id, ['publishing'], { status: 'held', heldReason: 'reauth', errorCode: err.code, errorMessage: error.message });
        const flipped = await markNeedsReauth(tx, post.channelId);
        await holdScheduledPosts(tx, { channelId: post.channelId }, 'reauth');
        if (flipped.count > 0) {
          await audit(tx, system(post.orgId), 'channel.needs_reauth', { type: 'channel', id: post.channelId }, { code: err.code });
        }
        return { kind: 'final', status: 'held', code: err.code };
      }
      case 'permanent': {
        await finishAttempt(tx, attemptId, 'failed', error, detail);
        await settlePost(tx, post.id, ['publishing'], { status: 'failed', errorCode: err.code, errorMessage: error.message });
        await audit(tx, system(post.orgId), 'post.failed', { type: 'post', id: post.id }, { code: err.code });
        await completeIfFinished(tx, post.releaseId);
        return { kind: 'final', status: 'failed', code: err.code };
      }
      case 'unknown_outcome': {
        await finishAttempt(tx, attemptId, 'unconfirmed', error, detail);
        await settlePost(tx, post.id, ['publishing'], { status: 'unconfirmed', errorCode: err.code, errorMessage: error.message });
        await audit(tx, system(post.orgId), 'post.unconfirmed', { type: 'post', id: post.id }, { code: err.code });
        return { kind: 'final', status: 'unconfirmed', code: err.code };
      }
    }
  });
}

/** The outcome of an attempt cannot be known: shown to approvers, never re-sent blindly. */
export async function markUnconfirmed(deps: Deps, postId: string, code: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const { count } = await settlePost(tx, postId, ['publishing'], { status: 'unconfirmed', errorCode: code, errorMessage: message(code) });
    if (count === 0) return;
    await tx.publicationAttempt.updateMany({
      where: { postId, finishedAt: null },
      data: { finishedAt: new Date(), outcome: 'unconfirmed', errorCode: code, errorMessage: message(code) },
    });
    const post = await tx.post.findUniqueOrThrow({ where: { id: postId }, select: { orgId: true } });
    await audit(tx, system(post.orgId), 'post.unconfirmed', { type: 'post', id: postId }, { code });
  });
}
