// API shapes of releases and posts (API.md "Releases and posts").
import { z } from 'zod';
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

// ---- the posts listing (GET /api/v1/posts), for the OpenAPI document ----

const time = z.iso.datetime().describe('ISO 8601, UTC');
const uuid = z.uuid();
const postError = z.object({ code: z.string(), message: z.string() });

/** `view=full` (the default): every post whole, as `presentPost` writes it. */
export const postSchema = z
  .object({
    id: uuid,
    releaseId: uuid,
    channelId: uuid,
    channelType: z.string(),
    publishAt: time.nullable(),
    dueAt: time.nullable(),
    content: z
      .object({ text: z.string(), thread: z.array(z.string()), title: z.string(), html: z.string(), link: z.string(), media: z.array(z.object({ url: z.string(), alt: z.string() })) })
      .partial(),
    length: z.number().int().nullable(),
    warnings: z.array(z.object({ code: z.string(), message: z.string() })),
    edited: z.boolean(),
    status: z.string(),
    heldReason: z.string().optional(),
    revision: z.number().int(),
    externalId: z.string().optional(),
    externalUrl: z.string().optional(),
    publishedAt: time.optional(),
    error: postError.optional(),
    attempts: z.number().int(),
  })
  .describe('Post: the whole post with its content (view=full, the default)');

/**
 * `view=summary`: what a calendar or a list shows of a post, without its content: a third of the
 * full answer for a month of articles. Built by PostgreSQL (store/posts.ts
 * `listPostSummariesJson`); a field without a value is left out, as in `Post`.
 */
export const postSummarySchema = z
  .object({
    id: uuid,
    releaseId: uuid,
    releaseTitle: z.string(),
    releaseStatus: z.enum(['draft', 'in_review', 'scheduled', 'done', 'cancelled']),
    crisis: z.boolean().describe("the release's crisis flag"),
    channelId: uuid,
    channelType: z.string(),
    channelName: z.string(),
    status: z.string(),
    heldReason: z.string().optional(),
    publishAt: time.optional().describe("the post's own time; absent: the release's"),
    dueAt: time.optional().describe('when it goes out (set on approval)'),
    publishedAt: time.optional(),
    excerpt: z.string().optional().describe("the first 120 characters of the post's text or of its thread's first part; an article's title"),
    externalUrl: z.string().optional(),
    error: postError.optional(),
  })
  .describe('PostSummary: a post as a calendar shows it (view=summary)');

export type PostSummary = z.infer<typeof postSummarySchema>;

export const postListSchema = z.union([z.array(postSchema), z.array(postSummarySchema)]);
