// Posts and publication attempts. The claim itself (the compare-and-set to `publishing` that
// records the attempt) is in ./publishing.ts; the settles here move a post out of `publishing`.
import { sql, type Db, type DbOrTx } from './db';
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
const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One `PostSummary` as JSON text, its members in the documented order. Each member after `id` is
 * `',"name":' || value`, which is NULL when the value is, and concat() skips NULLs: a field
 * without a value is left out. Text is escaped by to_json (PostgreSQL's JSON escaping, as
 * row_to_json); uuids and the formatted times need none. Written out instead of
 * `json_strip_nulls(row_to_json(…))`, which builds every row's JSON and then parses and writes it
 * a second time to drop the nulls: about a third of the statement's time for a month
 * (docs/benchmarks.md).
 */
const SUMMARY_JSON = `concat(
  '{"id":"', p.id, '"',
  ',"releaseId":"' || p.release_id || '"',
  ',"releaseTitle":' || to_json(r.title)::text,
  ',"releaseStatus":' || to_json(r.status)::text,
  ',"crisis":' || CASE WHEN r.crisis THEN 'true' WHEN NOT r.crisis THEN 'false' END,
  ',"channelId":"' || p.channel_id || '"',
  ',"channelType":' || to_json(p.channel_type)::text,
  ',"channelName":' || to_json(c.name)::text,
  ',"status":' || to_json(p.status)::text,
  ',"heldReason":' || to_json(p.held_reason)::text,
  ',"publishAt":"' || ${isoUtc('p.publish_at')} || '"',
  ',"dueAt":"' || ${isoUtc('p.due_at')} || '"',
  ',"publishedAt":"' || ${isoUtc('p.published_at')} || '"',
  ',"excerpt":' || to_json(left(CASE WHEN p.channel_type IN ('blog', 'wordpress') THEN p.content->>'title'
                                     ELSE coalesce(p.content->>'text', p.content->'thread'->>0) END, 120))::text,
  ',"externalUrl":' || to_json(p.external_url)::text,
  ',"error":{"code":' || to_json(p.error_code)::text || ',"message":' || to_json(coalesce(p.error_message, ''))::text || '}',
  '}')`;

/**
 * The calendar's view of the posts in a time range (API `PostSummary`, `GET /api/v1/posts?view=summary`)
 * as one JSON array, built by PostgreSQL in one round trip. The full posts of a busy month are
 * megabytes (the articles' HTML) and, built as objects and serialised in Node, cost seconds of CPU
 * and hundreds of MB of heap; a calendar needs none of that. Only the columns it shows are read,
 * with the release's title and status and the channel's name joined in (no second request), and
 * the rows never become JavaScript objects: the answer is the string PostgreSQL returns. Plain SQL
 * on the pool (see `sql` in ./db), as the token check: an API process that only lists never
 * loads Prisma's query compiler (about 40 MB, docs/benchmarks.md).
 *
 * The filter is that of `listPosts`: a post is in the range when its due time, its publication
 * time or (not yet approved) its own time lies in it; the indexes on (org_id, due_at),
 * (org_id, published_at) and (org_id, publish_at) serve it.
 *
 * The excerpt is a social post's text or the first part of its thread, an article's title: cut and
 * nothing more. Stripping an article's tags and collapsing whitespace with regular expressions
 * made the query several times slower (docs/benchmarks.md), and an article's content (kilobytes
 * of HTML, compressed) is unpacked once, for its title.
 */
export async function listPostSummariesJson(
  db: Db,
  orgId: string,
  filter: { from?: Date; to?: Date; status?: string; channelId?: string },
): Promise<string> {
  const values: unknown[] = [orgId];
  const param = (value: unknown) => `$${values.push(value)}`;
  const conditions = ['p.org_id = $1::uuid'];
  if (filter.status) conditions.push(`p.status = ${param(filter.status)}`);
  if (filter.channelId) conditions.push(`p.channel_id = ${param(filter.channelId)}::uuid`);
  if (filter.from || filter.to) {
    const from = filter.from ? `${param(filter.from.toISOString())}::timestamptz` : null;
    const to = filter.to ? `${param(filter.to.toISOString())}::timestamptz` : null;
    const within = (column: string) => [from && `${column} >= ${from}`, to && `${column} <= ${to}`].filter(Boolean).join(' AND ');
    conditions.push(`((${within('p.due_at')}) OR (${within('p.published_at')}) OR (p.due_at IS NULL AND ${within('p.publish_at')}))`);
  }
  // Sorted and cut in the subquery, so the aggregate takes the rows in this order; the planner
  // sorts the narrow rows and builds each one's text after the sort.
  const { rows } = await sql(db).query<{ json: string }>(
    `SELECT '[' || coalesce(string_agg(s.json, ','), '') || ']' AS json
     FROM (
       SELECT ${SUMMARY_JSON} AS json
       FROM post p
       JOIN release r ON r.id = p.release_id
       JOIN channel c ON c.id = p.channel_id
       WHERE ${conditions.join(' AND ')}
       ORDER BY p.due_at ASC, p.created_at ASC, p.id ASC
       LIMIT ${LISTING_LIMIT}
     ) s`,
    values,
  );
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
