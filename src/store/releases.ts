// Releases, their revisions and approvals — always within one organisation.
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx, Sql, Tx } from './db';
import type { Prisma } from './generated/client';

const withPosts = { posts: { orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] } };

export function findRelease(db: DbOrTx, orgId: string, id: string) {
  return db.release.findFirst({ where: { id, orgId }, include: withPosts });
}

export type ReleaseWithPosts = NonNullable<Awaited<ReturnType<typeof findRelease>>>;

/**
 * The release and its posts as of one moment. Prisma reads them in two queries; between them the
 * last post may settle and finish the release, and a reader would see every post published under
 * a release still "scheduled". One repeatable-read snapshot keeps the two reads together.
 */
export function findReleaseConsistent(db: Db, orgId: string, id: string) {
  return db.$transaction((tx) => findRelease(tx, orgId, id), { isolationLevel: 'RepeatableRead' });
}

/** Locks the release row for the rest of the transaction: edits and approvals are serialised. */
export async function lockRelease(tx: Tx, orgId: string, id: string): Promise<ReleaseWithPosts | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM release WHERE id = ${id}::uuid AND org_id = ${orgId}::uuid FOR UPDATE`;
  if (rows.length === 0) return null;
  return findRelease(tx, orgId, id);
}

export function listReleases(db: DbOrTx, orgId: string, status?: string) {
  return db.release.findMany({
    where: { orgId, status },
    orderBy: { updatedAt: 'desc' },
    take: 500,
  });
}

/** Whether the organisation has a release with this slug (plain SQL: creating a release runs on the pool, see createRelease). */
export async function slugExists(tx: Sql, orgId: string, slug: string): Promise<boolean> {
  const { rows } = await tx.query<{ taken: boolean }>(`SELECT EXISTS (SELECT 1 FROM release WHERE org_id = $1::uuid AND slug = $2) AS taken`, [orgId, slug]);
  return rows[0]?.taken ?? false;
}

/** What creating a release reads before it writes: the organisation, the chosen channels, and whether the title's slug is taken. */
export interface CreationContext {
  org: { slug: string; timezone: string; policy: unknown } | null;
  channels: { id: string; type: string; name: string; enabled: boolean; settings: unknown }[];
  slugTaken: boolean;
}

/**
 * One round trip instead of three (organisation, channels, slug), in plain SQL: at 100 creates a
 * second every query counts, and Prisma compiles each of its queries anew (docs/benchmarks.md).
 */
export async function readCreationContext(tx: Sql, orgId: string, channelIds: string[], slug: string): Promise<CreationContext> {
  const { rows } = await tx.query<{ slug: string; timezone: string; policy: unknown; channels: CreationContext['channels']; slug_taken: boolean }>(
    `SELECT o.slug, o.timezone, o.policy,
            coalesce((SELECT json_agg(json_build_object('id', c.id, 'type', c.type, 'name', c.name, 'enabled', c.enabled, 'settings', c.settings))
                      FROM channel c WHERE c.org_id = o.id AND c.id = ANY($2::uuid[])), '[]') AS channels,
            EXISTS (SELECT 1 FROM release r WHERE r.org_id = o.id AND r.slug = $3) AS slug_taken
     FROM organisation o WHERE o.id = $1::uuid`,
    [orgId, channelIds, slug],
  );
  const row = rows[0];
  if (!row) return { org: null, channels: [], slugTaken: false };
  return { org: { slug: row.slug, timezone: row.timezone, policy: row.policy }, channels: row.channels, slugTaken: row.slug_taken };
}

export type NewRelease = Pick<
  ReleaseWithPosts,
  'orgId' | 'slug' | 'title' | 'subtitle' | 'dateline' | 'body' | 'language' | 'embargoUntil' | 'publishAt' | 'crisis' | 'authorId'
>;
export interface NewPost {
  channelId: string;
  channelType: string;
  content: object;
  length: number | null;
  warnings: object[];
}

/** A JSON value as PostgreSQL gives it back (undefined members dropped), so the rows equal a re-read. */
const asStored = (value: object) => JSON.parse(JSON.stringify(value)) as Prisma.JsonValue;

/**
 * A new release (revision 1, draft) with its posts, exactly as the database will hold them: every
 * value that is not NULL is written explicitly (insertReleaseWithPosts), no column default is
 * relied on, so the caller needs no read-back. The posts are created in the
 * given order one millisecond apart, so that (created_at, id), by which posts are listed, keeps
 * that order (the article first).
 */
export function newReleaseRows(data: NewRelease, posts: NewPost[], now: Date): ReleaseWithPosts {
  const id = randomUUID();
  return {
    ...data,
    id,
    status: 'draft',
    revision: 1,
    editorIds: [],
    approvedById: null,
    approvedAt: null,
    rejectedById: null,
    rejectionComment: null,
    createdAt: now,
    updatedAt: now,
    posts: posts.map((p, i) => {
      const at = new Date(now.getTime() + i);
      return {
        channelId: p.channelId,
        channelType: p.channelType,
        content: asStored(p.content),
        length: p.length,
        warnings: asStored(p.warnings),
        id: randomUUID(),
        orgId: data.orgId,
        releaseId: id,
        publishAt: null,
        dueAt: null,
        notBefore: null,
        priority: 0,
        edited: false,
        status: 'draft',
        heldReason: null,
        approvedHash: null,
        revision: 1,
        generation: 0,
        externalId: null,
        externalUrl: null,
        publishedAt: null,
        errorCode: null,
        errorMessage: null,
        attempts: 0,
        progress: {},
        createdAt: at,
        updatedAt: at,
      };
    }),
  };
}

/** Times go to PostgreSQL as ISO strings with their zone, whatever the session's time zone. */
const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Inserts a release from `newReleaseRows`, its posts and its first revision in one statement
 * (one round trip; the foreign keys are checked at its end, when all three rows exist).
 */
export async function insertReleaseWithPosts(tx: Sql, release: ReleaseWithPosts, revision: { editorId: string; snapshot: object }): Promise<void> {
  const r = release;
  const posts = r.posts.map((p) => ({
    id: p.id,
    channel_id: p.channelId,
    channel_type: p.channelType,
    content: p.content,
    length: p.length,
    warnings: p.warnings,
    priority: p.priority,
    edited: p.edited,
    status: p.status,
    revision: p.revision,
    generation: p.generation,
    attempts: p.attempts,
    progress: p.progress,
    created_at: p.createdAt.toISOString(),
  }));
  await tx.query(
    `WITH new_release AS (
       INSERT INTO release (id, org_id, status, revision, slug, title, subtitle, dateline, body, language, embargo_until, publish_at,
                            crisis, author_id, editor_ids, created_at, updated_at)
       VALUES ($1::uuid, $2::uuid, $3, $4::int, $5, $6, $7, $8, $9, $10, $11::timestamptz, $12::timestamptz, $13::boolean, $14::uuid, $15::uuid[],
               $16::timestamptz, $17::timestamptz)
     ), new_posts AS (
       INSERT INTO post (id, org_id, release_id, channel_id, channel_type, content, length, warnings, priority, edited, status, revision,
                         generation, attempts, progress, created_at, updated_at)
       SELECT p.id, $2::uuid, $1::uuid, p.channel_id, p.channel_type, p.content, p.length, p.warnings, p.priority, p.edited, p.status,
              p.revision, p.generation, p.attempts, p.progress, p.created_at, p.created_at
       FROM jsonb_to_recordset($18::jsonb)
            AS p(id uuid, channel_id uuid, channel_type text, content jsonb, length int, warnings jsonb, priority int, edited boolean,
                 status text, revision int, generation int, attempts int, progress jsonb, created_at timestamptz)
     )
     INSERT INTO release_revision (id, release_id, revision, editor_id, snapshot, created_at)
     VALUES ($19::uuid, $1::uuid, $4::int, $20::uuid, $21::jsonb, $16::timestamptz)`,
    [
      r.id, r.orgId, r.status, r.revision, r.slug, r.title, r.subtitle, r.dateline, r.body, r.language,
      iso(r.embargoUntil), iso(r.publishAt), r.crisis, r.authorId, r.editorIds, iso(r.createdAt), iso(r.updatedAt),
      JSON.stringify(posts), randomUUID(), revision.editorId, JSON.stringify(revision.snapshot),
    ],
  );
}

export function updateRelease(db: DbOrTx, id: string, data: Prisma.ReleaseUncheckedUpdateInput) {
  return db.release.update({ where: { id }, data });
}

export function addRevision(db: DbOrTx, data: { releaseId: string; revision: number; editorId: string; snapshot: object }) {
  return db.releaseRevision.create({ data });
}

/** The revision history of a release, oldest first; empty when the release is not the organisation's. */
export function listRevisions(db: DbOrTx, orgId: string, releaseId: string, since = 1) {
  return db.releaseRevision.findMany({
    where: { releaseId, revision: { gte: since }, release: { orgId } },
    orderBy: { revision: 'asc' },
  });
}

export function releaseExists(db: DbOrTx, orgId: string, id: string) {
  return db.release.count({ where: { id, orgId } }).then((n) => n > 0);
}

export function createApproval(
  db: DbOrTx,
  data: { releaseId: string; revision: number; contentHash: string; approverId: string },
) {
  return db.approval.create({ data });
}

export function voidApprovals(db: DbOrTx, releaseId: string, reason: string) {
  return db.approval.updateMany({ where: { releaseId, voidedAt: null }, data: { voidedAt: new Date(), voidReason: reason } });
}

/** Finishes a release once none of its posts can still change. */
export async function completeIfFinished(tx: Tx, releaseId: string): Promise<boolean> {
  const open = await tx.post.count({
    where: { releaseId, status: { in: ['draft', 'scheduled', 'held', 'publishing', 'unconfirmed'] } },
  });
  if (open > 0) return false;
  const { count } = await tx.release.updateMany({ where: { id: releaseId, status: 'scheduled' }, data: { status: 'done' } });
  return count > 0;
}
