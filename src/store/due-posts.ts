// What the scheduler's sweep reads: scheduled posts that are due within its look-ahead. Plain SQL
// (see `Sql` in ./db): during a burst thousands of rows are due, and Prisma building them as
// objects cost more CPU than the sweep's whole work.
import type { Db } from './db';
import { sql } from './db';

export interface DueRow {
  id: string;
  revision: number;
  generation: number;
  dueAt: Date;
  crisis: boolean;
}

/**
 * Scheduled posts due by `until`, earliest first, at most `limit`. With `since`, only those the
 * previous sweep did not see: due after its horizon, or changed since it ran (put back to
 * `scheduled` by a retry, a resume, new credentials…). The (status, due_at) index serves both;
 * the second filter costs PostgreSQL a look at each due row, not the sweep a queue call.
 */
export async function findDueForQueue(db: Db, until: Date, limit: number, since?: { horizon: Date; changedAfter: Date }): Promise<DueRow[]> {
  const values: unknown[] = [until, limit];
  let incremental = '';
  if (since) {
    values.push(since.horizon, since.changedAfter);
    incremental = 'AND (p.due_at > $3 OR p.updated_at >= $4)';
  }
  const { rows } = await sql(db).query<DueRow>(
    `SELECT p.id, p.revision, p.generation, p.due_at AS "dueAt", r.crisis
     FROM post p JOIN release r ON r.id = p.release_id
     WHERE p.status = 'scheduled' AND p.due_at <= $1 ${incremental}
     ORDER BY p.due_at LIMIT $2`,
    values,
  );
  return rows;
}
