// The release workflow, enforced on the server: draft → in_review → scheduled → done,
// reject → draft, cancel from any unfinished state. Pure rules; callers pass `now`.
import { createHash } from 'node:crypto';
import type { ChannelTarget } from './channel-target';
import { AppError, conflict, forbidden } from './errors';
import type { PostContent, ReleaseStatus } from './types';

export function assertStatus(actual: string, allowed: ReleaseStatus[]): void {
  if (!allowed.includes(actual as ReleaseStatus)) throw conflict('INVALID_STATUS', { status: actual });
}

/** Releases whose content may still change. An edit of a scheduled release voids its approval. */
export const EDITABLE_STATUSES: ReleaseStatus[] = ['draft', 'in_review', 'scheduled'];

/**
 * Four-eyes: the approver must be neither the author nor anyone who edited any revision.
 * (Stricter than "the current revision": an earlier edit may survive into the current text.)
 */
export function assertMayApprove(release: { authorId: string; editorIds: string[] }, userId: string): void {
  if (release.authorId === userId || release.editorIds.includes(userId)) throw forbidden('FOUR_EYES_VIOLATION');
}

/**
 * Four-eyes against account control: an admin could create (or reset) an approver account with a
 * password of their choosing and approve their own release with it. So an approval is refused when
 * the approver's password was last set by the author or by anyone who edited the release; the
 * approver lifts it by setting a password of their own (PATCH /api/v1/me). `passwordSetById` null
 * means it was not set by a Herold user (CLI, demo seed) and restricts no one.
 */
export function assertApproverAccountIndependent(
  release: { authorId: string; editorIds: string[] },
  approver: { id: string; passwordSetById: string | null },
): void {
  const setBy = approver.passwordSetById;
  if (!setBy || setBy === approver.id) return;
  if (release.authorId === setBy || release.editorIds.includes(setBy)) throw forbidden('FOUR_EYES_ACCOUNT_CONTROL');
}

export function assertCurrentRevision(current: number, requested: number): void {
  if (current !== requested) throw conflict('STALE_REVISION', { current });
}

/** Everything of a post that reaches the public; the approval is bound to exactly this. */
export interface PublishablePost {
  id: string;
  channelId: string;
  channelType: string;
  content: PostContent;
  publishAt: Date | null;
  /** Where the channel publishes (domain/channel-target.ts); absent only in legacy (v1) hashes. */
  target?: ChannelTarget;
}

export interface PublishableRelease {
  id: string;
  revision: number;
  embargoUntil: Date | null;
  publishAt: Date | null;
  crisis: boolean;
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Hash of one post as it will be published, including the release times that govern it. */
export function postHash(release: PublishableRelease, post: PublishablePost): string {
  return sha256(
    stable({
      release: release.id,
      revision: release.revision,
      embargoUntil: release.embargoUntil,
      releasePublishAt: release.publishAt,
      crisis: release.crisis,
      post,
    }),
  );
}

/**
 * The approval hash stored on a post (`post.approved_hash`), versioned. v2 covers the channel's
 * target identity too, so moving a channel elsewhere after approval makes the worker refuse the
 * post. Hashes without a prefix were written before that (v1: content, channel id and times).
 */
export const APPROVAL_HASH_VERSION = 'v2';

export function approvalHash(release: PublishableRelease, post: PublishablePost & { target: ChannelTarget }): string {
  return `${APPROVAL_HASH_VERSION}:${postHash(release, post)}`;
}

/**
 * Whether a post as it is now is what was approved. A v1 hash (approved before targets were
 * hashed) is checked without the target: its approval stays valid across the upgrade, and a
 * target change through Herold voids it anyway (services/channels.ts). Any other prefix fails.
 */
export function matchesApproval(approvedHash: string | null, release: PublishableRelease, post: PublishablePost & { target: ChannelTarget }): boolean {
  if (!approvedHash) return false;
  if (approvedHash.includes(':')) return approvedHash === approvalHash(release, post);
  return approvedHash === postHash(release, { ...post, target: undefined });
}

/** Hash of the whole package: every post's hash, in a fixed order. */
export function packageHash(release: PublishableRelease, posts: PublishablePost[]): string {
  const parts = [...posts].sort((a, b) => (a.id < b.id ? -1 : 1)).map((p) => postHash(release, p));
  return sha256(stable({ release: release.id, revision: release.revision, posts: parts }));
}

/** When a post may go out: its own time, else the release's, else at approval; never before the embargo. */
export function dueAt(
  release: { publishAt: Date | null; embargoUntil: Date | null },
  post: { publishAt: Date | null },
  approvedAt: Date,
): Date {
  const planned = post.publishAt ?? release.publishAt ?? approvedAt;
  const embargo = release.embargoUntil;
  return embargo && embargo > planned ? embargo : planned;
}

/** A time before the embargo is refused outright rather than silently moved. */
export function assertNotBeforeEmbargo(embargoUntil: Date | null, ...times: (Date | null | undefined)[]): void {
  if (!embargoUntil) return;
  for (const time of times) {
    if (time && time < embargoUntil) {
      throw new AppError(400, 'EMBARGO_VIOLATION', { embargo: embargoUntil.toISOString() }, [
        { path: 'publishAt', message: 'before embargoUntil' },
      ]);
    }
  }
}

/** Blog and WordPress go first: social posts link to the article. */
export function publishOrder(channelType: string): number {
  return channelType === 'blog' || channelType === 'wordpress' ? 0 : 1;
}

export function slugify(title: string): string {
  const base = title
    // Text pasted from macOS is often decomposed ("o" + combining diaeresis): compose it first.
    .normalize('NFC')
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return base || 'mitteilung';
}
