// The revision history of a release: what each revision contained, post by post. The approval
// inbox reads it to show what changed since the last revision.
import type { Actor } from '../domain/actor';
import { notFound } from '../domain/errors';
import { listRevisions, releaseExists } from '../store/releases';
import type { Deps } from './deps';

type RevisionRow = Awaited<ReturnType<typeof listRevisions>>[number];

/** What services/releases.ts stores as a revision's snapshot (times as ISO strings in JSON). */
interface Snapshot {
  title: string;
  subtitle: string | null;
  dateline: string | null;
  body: string;
  embargoUntil: string | null;
  publishAt: string | null;
  crisis: boolean;
  posts: { id: string; channelId: string; content: unknown; publishAt: string | null }[];
}

/** One entry of GET /api/v1/releases/:id/revisions. */
export type Revision = ReturnType<typeof presentRevision>;

export function presentRevision(row: RevisionRow) {
  const s = row.snapshot as unknown as Snapshot;
  return {
    revision: row.revision,
    editorId: row.editorId,
    createdAt: row.createdAt.toISOString(),
    title: s.title,
    subtitle: s.subtitle ?? null,
    dateline: s.dateline ?? null,
    body: s.body,
    embargoUntil: s.embargoUntil ?? null,
    publishAt: s.publishAt ?? null,
    crisis: Boolean(s.crisis),
    posts: (s.posts ?? []).map((p) => ({ id: p.id, channelId: p.channelId, content: p.content, publishAt: p.publishAt ?? null })),
  };
}

/** Revisions from `since` on, oldest first. Every release has revision 1, so none at all means not found. */
export async function listReleaseRevisions(deps: Deps, actor: Actor, releaseId: string, since?: number) {
  const rows = await listRevisions(deps.db, actor.orgId, releaseId, since);
  if (rows.length === 0 && !(await releaseExists(deps.db, actor.orgId, releaseId))) throw notFound('release');
  return rows;
}
