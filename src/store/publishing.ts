// The publish path's statements in plain SQL (see `Sql` in ./db): per post one read, one claim
// and one short settle transaction, instead of about twenty Prisma queries whose compilation cost
// more CPU than everything else a worker does. Rare outcomes (held, failed, unconfirmed) stay in
// Prisma (./posts.ts), where their cost does not matter.
//
// At most once: the claim is a compare-and-set on the post's status in PostgreSQL that records
// the attempt in the same statement, and it commits before the network is called.
import { randomUUID } from 'node:crypto';
import { appendAuditSql } from './audit';
import type { Db } from './db';
import { sql, sqlTransaction } from './db';
import type { Channel, Post, Release } from './generated/client';

// Column lists checked against Prisma's model types: a column added to the schema and missing
// here fails the typecheck, so the loaded post always has the shape Prisma would give it.
const POST_COLUMNS = {
  id: 'id',
  orgId: 'org_id',
  releaseId: 'release_id',
  channelId: 'channel_id',
  channelType: 'channel_type',
  publishAt: 'publish_at',
  dueAt: 'due_at',
  notBefore: 'not_before',
  priority: 'priority',
  content: 'content',
  length: 'length',
  warnings: 'warnings',
  edited: 'edited',
  status: 'status',
  heldReason: 'held_reason',
  approvedHash: 'approved_hash',
  revision: 'revision',
  generation: 'generation',
  externalId: 'external_id',
  externalUrl: 'external_url',
  publishedAt: 'published_at',
  errorCode: 'error_code',
  errorMessage: 'error_message',
  attempts: 'attempts',
  progress: 'progress',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<keyof Post, string>;

const RELEASE_COLUMNS = {
  id: 'id',
  orgId: 'org_id',
  status: 'status',
  revision: 'revision',
  slug: 'slug',
  title: 'title',
  subtitle: 'subtitle',
  dateline: 'dateline',
  body: 'body',
  language: 'language',
  embargoUntil: 'embargo_until',
  publishAt: 'publish_at',
  crisis: 'crisis',
  authorId: 'author_id',
  editorIds: 'editor_ids',
  approvedById: 'approved_by_id',
  approvedAt: 'approved_at',
  rejectedById: 'rejected_by_id',
  rejectionComment: 'rejection_comment',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<keyof Release, string>;

const CHANNEL_COLUMNS = {
  id: 'id',
  orgId: 'org_id',
  type: 'type',
  name: 'name',
  enabled: 'enabled',
  status: 'status',
  settings: 'settings',
  credentialsEnc: 'credentials_enc',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<keyof Channel, string>;

type Columns = Record<string, string>;

const select = (alias: string, columns: Columns, prefix: string) =>
  Object.entries(columns)
    .map(([key, column]) => `${alias}.${column} AS "${prefix}${key}"`)
    .join(', ');

function pick<T>(row: Record<string, unknown>, columns: Columns, prefix: string): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(columns)) out[key] = row[`${prefix}${key}`];
  return out as T;
}

export interface SiblingPost {
  id: string;
  channelType: string;
  status: string;
  externalUrl: string | null;
}

/** A post as the worker needs it: with its release (and the release's posts), channel and organisation. */
export type PublishablePost = Post & {
  release: Release & { posts: SiblingPost[] };
  channel: Channel;
  org: { paused: boolean; slug: string };
};

const LOAD_SQL = `
  SELECT ${select('p', POST_COLUMNS, '')}, ${select('r', RELEASE_COLUMNS, 'r.')}, ${select('c', CHANNEL_COLUMNS, 'c.')},
         o.paused AS "o.paused", o.slug AS "o.slug",
         (SELECT coalesce(json_agg(json_build_object('id', s.id, 'channelType', s.channel_type, 'status', s.status, 'externalUrl', s.external_url) ORDER BY s.created_at, s.id), '[]'::json)
            FROM post s WHERE s.release_id = p.release_id) AS "siblings"
  FROM post p
  JOIN release r ON r.id = p.release_id
  JOIN channel c ON c.id = p.channel_id
  JOIN organisation o ON o.id = p.org_id
  WHERE p.id = $1::uuid`;

/** Everything one publish job reads, in one query. The pause flag is re-checked by the claim. */
export async function loadPublishablePost(db: Db, postId: string): Promise<PublishablePost | null> {
  const { rows } = await sql(db).query<Record<string, unknown>>(LOAD_SQL, [postId]);
  const row = rows[0];
  if (!row) return null;
  return {
    ...pick<Post>(row, POST_COLUMNS, ''),
    release: { ...pick<Release>(row, RELEASE_COLUMNS, 'r.'), posts: row.siblings as SiblingPost[] },
    channel: pick<Channel>(row, CHANNEL_COLUMNS, 'c.'),
    org: { paused: row['o.paused'] as boolean, slug: row['o.slug'] as string },
  };
}

export type ClaimResult = { claimed: true; attemptId: string; number: number } | { claimed: false; paused: boolean };

/**
 * The compare-and-set scheduled → publishing and the attempt row, in one statement (so one
 * transaction). It holds only while everything checked on the loaded post still holds: the same
 * revision, generation and approval hash, the release still scheduled, the channel usable, the
 * post due. The organisation row is read `FOR SHARE`: a crisis stop (an UPDATE of that row)
 * waits for this statement, and this statement sees a pause committed before it — after the
 * pause is acknowledged no claim succeeds, so no new publish call starts.
 */
export async function claimForPublishing(
  db: Db,
  post: { id: string; orgId: string; revision: number; generation: number; approvedHash: string | null },
  workerId: string,
): Promise<ClaimResult> {
  const attemptId = randomUUID();
  const { rows } = await sql(db).query<{ paused: boolean | null; number: number | null }>(
    `WITH org AS (SELECT paused FROM organisation WHERE id = $2::uuid FOR SHARE),
     claimed AS (
       UPDATE post p SET status = 'publishing', attempts = p.attempts + 1, error_code = NULL, error_message = NULL, updated_at = $8
       WHERE p.id = $1::uuid AND p.status = 'scheduled' AND p.revision = $3 AND p.generation = $4
         AND p.approved_hash = $5 AND p.due_at <= $8
         AND (SELECT NOT paused FROM org)
         AND EXISTS (SELECT 1 FROM release r WHERE r.id = p.release_id AND r.status = 'scheduled')
         AND EXISTS (SELECT 1 FROM channel c WHERE c.id = p.channel_id AND c.enabled AND c.status <> 'needs_reauth')
       RETURNING p.id, p.attempts),
     attempt AS (
       INSERT INTO publication_attempt (id, post_id, number, worker_id, started_at)
       SELECT $6::uuid, id, attempts, $7, $8 FROM claimed
       RETURNING number)
     SELECT (SELECT paused FROM org) AS paused, (SELECT number FROM attempt) AS number`,
    // The worker's clock, as everywhere in the publish path (due times were checked with it).
    [post.id, post.orgId, post.revision, post.generation, post.approvedHash, attemptId, workerId, new Date()],
  );
  const row = rows[0];
  if (row?.number === null || row?.number === undefined) return { claimed: false, paused: row?.paused !== false };
  return { claimed: true, attemptId, number: row.number };
}

export interface Publication {
  postId: string;
  orgId: string;
  releaseId: string;
  channelType: string;
  attemptId: string;
  externalId: string;
  externalUrl: string;
  foundBy: string;
}

const OPEN_STATUSES = ['draft', 'scheduled', 'held', 'publishing', 'unconfirmed'];

/**
 * Records a publication in one short transaction: the attempt finished, the compare-and-set
 * publishing (or unconfirmed) → published, the `post.published` event on the organisation's audit
 * chain, and the release done when nothing of it is open any more. The release is looked at after
 * the chain's lock is taken, as in the Prisma path: a sibling post that settled at the same time
 * has committed by then, so the last of them always sees the others published.
 */
export async function recordPublication(db: Db, p: Publication): Promise<void> {
  const now = new Date();
  await sqlTransaction(db, async (tx) => {
    await tx.query(
      `WITH attempt AS (
         UPDATE publication_attempt SET finished_at = $3, outcome = 'published', detail = $4::jsonb WHERE id = $2::uuid)
       UPDATE post SET status = 'published', external_id = $5, external_url = $6, published_at = $3,
              error_code = NULL, error_message = NULL, updated_at = $3
       WHERE id = $1::uuid AND status IN ('publishing', 'unconfirmed')`,
      [p.postId, p.attemptId, now, JSON.stringify({ externalId: p.externalId, foundBy: p.foundBy }), p.externalId, p.externalUrl],
    );
    await appendAuditSql(tx, {
      orgId: p.orgId,
      actorId: null,
      actorType: 'system',
      action: 'post.published',
      entityType: 'post',
      entityId: p.postId,
      data: { channelType: p.channelType, externalId: p.externalId, externalUrl: p.externalUrl, foundBy: p.foundBy },
    });
    await tx.query(
      `UPDATE release SET status = 'done', updated_at = $3 WHERE id = $1::uuid AND status = 'scheduled'
         AND NOT EXISTS (SELECT 1 FROM post o WHERE o.release_id = $1::uuid AND o.status = ANY($2::text[]))`,
      [p.releaseId, OPEN_STATUSES, now],
    );
  });
}
