// Posts and publication attempts. The claim itself (the compare-and-set to `publishing` that
// records the attempt) is in ./publishing.ts; the settles here move a post out of `publishing`.
import { Prisma as PrismaRuntime, type DbOrTx } from './db';
import type { Prisma } from './generated/client';

export function findPost(db: DbOrTx, orgId: string, id: string) {
  return db.post.findFirst({ where: { id, orgId } });
}

export function findPostWithAttempts(db: DbOrTx, orgId: string, id: string) {
  return db.post.findFirst({ where: { id, orgId }, include: { attemptsLog: { orderBy: { number: 'asc' } } } });
}

export function listPosts(
  db: DbOrTx,
  orgId: string,
  filter: { from?: Date; to?: Date; status?: string; channelId?: string },
) {
  const range = filter.from || filter.to ? { gte: filter.from, lte: filter.to } : undefined;
  return db.post.findMany({
    where: {
      orgId,
      status: filter.status,
      channelId: filter.channelId,
      ...(range ? { OR: [{ dueAt: range }, { publishedAt: range }, { dueAt: null, publishAt: range }] } : {}),
    },
    orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
    take: LISTING_LIMIT,
  });
}

/** At most this many posts in one listing (a calendar shows a week or a month). */
const LISTING_LIMIT = 20_000;

/** A timestamp as the API writes it everywhere else (Date#toISOString: UTC, milliseconds, Z). */
const isoUtc = (column: string) => PrismaRuntime.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * The calendar's view of the posts in a time range (API `PostSummary`, `GET /api/v1/posts?view=summary`)
 * as one JSON array, built by PostgreSQL in one round trip. The full posts of a busy month are
 * megabytes (the articles' HTML) and, built as objects and serialised in Node, cost seconds of CPU
 * and hundreds of MB of heap; a calendar needs none of that. Only the columns it shows are read,
 * with the release's title and status and the channel's name joined in (no second request), and
 * the rows never become JavaScript objects: the answer is the string PostgreSQL returns.
 *
 * The filter is that of `listPosts`: a post is in the range when its due time, its publication
 * time or (not yet approved) its own time lies in it; the indexes on (org_id, due_at),
 * (org_id, published_at) and (org_id, publish_at) serve it as one bitmap OR.
 */
export async function listPostSummariesJson(
  db: DbOrTx,
  orgId: string,
  filter: { from?: Date; to?: Date; status?: string; channelId?: string },
): Promise<string> {
  const { sql, raw, join } = PrismaRuntime;
  const within = (column: string) => {
    const bounds = [];
    if (filter.from) bounds.push(sql`${raw(column)} >= ${filter.from.toISOString()}::timestamptz`);
    if (filter.to) bounds.push(sql`${raw(column)} <= ${filter.to.toISOString()}::timestamptz`);
    return join(bounds, ' AND ');
  };
  const conditions = [sql`p.org_id = ${orgId}::uuid`];
  if (filter.status) conditions.push(sql`p.status = ${filter.status}`);
  if (filter.channelId) conditions.push(sql`p.channel_id = ${filter.channelId}::uuid`);
  if (filter.from || filter.to) {
    conditions.push(sql`((${within('p.due_at')}) OR (${within('p.published_at')}) OR (p.due_at IS NULL AND ${within('p.publish_at')}))`);
  }
  // Each row becomes an object by its column names (row_to_json: compact, and cheaper than
  // json_build_object with sixteen pairs), so the columns are named as the API names them; fields
  // without a value are left out (a sixth of a month's answer were nulls). The
  // excerpt is a social post's text or the first part of its thread, an article's title: cut and
  // nothing more. Stripping an article's tags and collapsing whitespace with regular expressions
  // made the query several times slower (docs/benchmarks.md), and an article's content (kilobytes
  // of HTML, compressed) is unpacked once, for its title.
  const rows = await db.$queryRaw<{ json: string }[]>`
    SELECT coalesce(json_agg(json_strip_nulls(row_to_json(s))), '[]')::text AS json
    FROM (
      SELECT p.id, p.release_id AS "releaseId", r.title AS "releaseTitle", r.status AS "releaseStatus", r.crisis,
             p.channel_id AS "channelId", p.channel_type AS "channelType", c.name AS "channelName",
             p.status, p.held_reason AS "heldReason",
             ${isoUtc('p.publish_at')} AS "publishAt", ${isoUtc('p.due_at')} AS "dueAt", ${isoUtc('p.published_at')} AS "publishedAt",
             left(CASE WHEN p.channel_type IN ('blog', 'wordpress') THEN p.content->>'title'
                       ELSE coalesce(p.content->>'text', p.content->'thread'->>0) END, 120) AS excerpt,
             p.external_url AS "externalUrl",
             CASE WHEN p.error_code IS NULL THEN NULL ELSE json_build_object('code', p.error_code, 'message', coalesce(p.error_message, '')) END AS error
      FROM post p
      JOIN release r ON r.id = p.release_id
      JOIN channel c ON c.id = p.channel_id
      WHERE ${join(conditions, ' AND ')}
      -- Sorted and cut here, so the aggregate takes the rows in this order instead of sorting the
      -- built objects itself (which spills to disk for a month).
      ORDER BY p.due_at ASC, p.created_at ASC, p.id ASC
      LIMIT ${LISTING_LIMIT}
    ) s`;
  return rows[0]?.json ?? '[]';
}

export function createPost(db: DbOrTx, data: Prisma.PostUncheckedCreateInput) {
  return db.post.create({ data });
}

export function updatePost(db: DbOrTx, id: string, data: Prisma.PostUncheckedUpdateInput) {
  return db.post.update({ where: { id }, data });
}

export function deletePost(db: DbOrTx, id: string) {
  return db.post.delete({ where: { id } });
}

/** Posts stuck in `publishing` whose attempt began before `startedBefore`: their worker died. */
export function findStalePublishing(db: DbOrTx, startedBefore: Date) {
  return db.post.findMany({
    where: { status: 'publishing', attemptsLog: { some: { finishedAt: null, startedAt: { lt: startedBefore } } } },
    select: { id: true, orgId: true },
    take: 1000,
  });
}

export function finishAttempt(
  db: DbOrTx,
  attemptId: string,
  outcome: string,
  error?: { code: string; message: string } | null,
  detail?: object,
) {
  return db.publicationAttempt.update({
    where: { id: attemptId },
    data: { finishedAt: new Date(), outcome, errorCode: error?.code, errorMessage: error?.message, detail },
  });
}

/** Moves a post out of `publishing`, but only if no one else already did. */
export function settlePost(db: DbOrTx, id: string, from: string[], data: Prisma.PostUncheckedUpdateManyInput) {
  return db.post.updateMany({ where: { id, status: { in: from } }, data });
}

export function holdScheduledPosts(db: DbOrTx, where: { orgId?: string; channelId?: string }, reason: 'paused' | 'reauth') {
  return db.post.updateMany({ where: { ...where, status: 'scheduled' }, data: { status: 'held', heldReason: reason } });
}

/** Releases held posts whose time has not come; the rest wait for an approver (no burst). */
export function releaseHeldPosts(db: DbOrTx, where: { orgId?: string; channelId?: string }, reason: 'paused' | 'reauth', now: Date) {
  return db.post.updateMany({
    where: { ...where, status: 'held', heldReason: reason, ...(reason === 'paused' ? { dueAt: { gt: now } } : {}) },
    data: { status: 'scheduled', heldReason: null },
  });
}
