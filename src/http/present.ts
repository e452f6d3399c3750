// API shapes of releases and posts (API.md "Releases and posts").
import type { ReleaseWithPosts } from '../store/releases';

type PostRow = ReleaseWithPosts['posts'][number];
type ReleaseRow = Omit<ReleaseWithPosts, 'posts'> & { posts?: PostRow[] };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function presentPost(p: PostRow) {
  return {
    id: p.id,
    releaseId: p.releaseId,
    channelId: p.channelId,
    channelType: p.channelType,
    publishAt: iso(p.publishAt),
    dueAt: iso(p.dueAt),
    content: p.content,
    length: p.length,
    warnings: p.warnings,
    edited: p.edited,
    status: p.status,
    heldReason: p.heldReason ?? undefined,
    revision: p.revision,
    externalId: p.externalId ?? undefined,
    externalUrl: p.externalUrl ?? undefined,
    publishedAt: iso(p.publishedAt) ?? undefined,
    error: p.errorCode ? { code: p.errorCode, message: p.errorMessage ?? '' } : undefined,
    attempts: p.attempts,
  };
}

interface AttemptRow {
  number: number;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  detail: unknown;
}

/** A post with its attempt history (post detail). */
export function presentPostDetail(p: PostRow & { attemptsLog: AttemptRow[] }) {
  return {
    ...presentPost(p),
    history: p.attemptsLog.map((a) => ({
      number: a.number,
      startedAt: a.startedAt.toISOString(),
      finishedAt: iso(a.finishedAt),
      outcome: a.outcome ?? 'in_progress',
      error: a.errorCode ? { code: a.errorCode, message: a.errorMessage ?? '' } : undefined,
      retryAfterMs: (a.detail as { retryAfterMs?: number } | null)?.retryAfterMs,
    })),
  };
}

export function presentRelease(r: ReleaseRow, opts: { withPosts?: boolean } = { withPosts: true }) {
  return {
    id: r.id,
    status: r.status,
    revision: r.revision,
    slug: r.slug,
    title: r.title,
    subtitle: r.subtitle,
    dateline: r.dateline,
    body: opts.withPosts === false ? undefined : r.body,
    language: r.language,
    embargoUntil: iso(r.embargoUntil),
    publishAt: iso(r.publishAt),
    crisis: r.crisis,
    authorId: r.authorId,
    editorIds: r.editorIds,
    approvedBy: r.approvedById ?? undefined,
    approvedAt: iso(r.approvedAt) ?? undefined,
    rejection: r.rejectedById ? { by: r.rejectedById, comment: r.rejectionComment ?? '' } : undefined,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    posts: opts.withPosts === false || !r.posts ? undefined : r.posts.map(presentPost),
  };
}
