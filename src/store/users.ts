// Users, sessions and API tokens. Every lookup by id is scoped to the caller's organisation.
import { sql, type Db, type DbOrTx } from './db';

export function findUserByEmail(db: DbOrTx, email: string) {
  return db.user.findUnique({ where: { email: email.toLowerCase() }, include: { org: true } });
}

export function findUserInOrg(db: DbOrTx, orgId: string, id: string) {
  return db.user.findFirst({ where: { id, orgId } });
}

export function listUsers(db: DbOrTx, orgId: string) {
  return db.user.findMany({ where: { orgId }, orderBy: { name: 'asc' } });
}

/**
 * A password travels with who set it (four-eyes, domain/workflow.ts `assertApproverAccountIndependent`):
 * the Herold user who chose it, or null when it was set outside Herold's users (CLI, demo seed).
 */
export interface PasswordChange {
  passwordHash: string;
  passwordSetById: string | null;
}

export function createUser(
  db: DbOrTx,
  data: { orgId: string; email: string; name: string; roles: string[]; passwordHash: string | null; passwordSetById: string | null },
) {
  return db.user.create({ data: { ...data, email: data.email.toLowerCase() } });
}

export function updateUser(
  db: DbOrTx,
  orgId: string,
  id: string,
  data: { email?: string; name?: string; roles?: string[]; disabled?: boolean; language?: string; password?: PasswordChange },
) {
  const { password, ...fields } = data;
  return db.user.updateMany({ where: { id, orgId }, data: { ...fields, ...password, email: data.email?.toLowerCase() } });
}

export function countActiveAdmins(db: DbOrTx, orgId: string) {
  return db.user.count({ where: { orgId, disabled: false, roles: { has: 'admin' } } });
}

export function createSession(db: DbOrTx, data: { idHash: string; userId: string; csrfToken: string; expiresAt: Date }) {
  return db.session.create({ data });
}

/** The user fields a request is authenticated with (services/auth.ts `actorOf`). */
export interface AuthUser {
  id: string;
  orgId: string;
  email: string;
  name: string;
  roles: string[];
  language: string;
  disabled: boolean;
}

const AUTH_USER = `u.id, u.org_id AS "orgId", u.email, u.name, u.roles, u.language, u.disabled`;

/**
 * The session and its user, read on every request of the web UI: plain SQL on the pool (see
 * `sql` in ./db), as Prisma compiles each query anew at several ms of CPU. Read fresh each time,
 * so a logout, a disabled user or a role change counts from the next request on.
 */
export async function findSession(db: Db, idHash: string): Promise<{ csrfToken: string; expiresAt: Date; user: AuthUser } | null> {
  const { rows } = await sql(db).query<{ csrfToken: string; expiresAt: Date } & AuthUser>(
    `SELECT s.csrf_token AS "csrfToken", s.expires_at AS "expiresAt", ${AUTH_USER}
     FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.id_hash = $1`,
    [idHash],
  );
  const row = rows[0];
  if (!row) return null;
  const { csrfToken, expiresAt, ...user } = row;
  return { csrfToken, expiresAt, user };
}

export function deleteSession(db: DbOrTx, idHash: string) {
  return db.session.deleteMany({ where: { idHash } });
}

/** Ends a user's sessions everywhere; `keepIdHash` spares the one the change was made in. */
export function deleteUserSessions(db: DbOrTx, userId: string, keepIdHash?: string) {
  return db.session.deleteMany({ where: { userId, ...(keepIdHash ? { idHash: { not: keepIdHash } } : {}) } });
}

export function findUserPasswordHash(db: DbOrTx, orgId: string, id: string) {
  return db.user.findFirst({ where: { id, orgId }, select: { passwordHash: true, email: true } });
}

/** Who last set each of these users' passwords (null: not set by a Herold user). */
export function findPasswordSetters(db: DbOrTx, orgId: string, ids: string[]) {
  return db.user.findMany({ where: { orgId, id: { in: ids } }, select: { id: true, passwordSetById: true } });
}

export function createApiToken(db: DbOrTx, data: { userId: string; name: string; tokenHash: string }) {
  return db.apiToken.create({ data });
}

/** The API token and its user, read on every bearer request: plain SQL, fresh each time (as findSession). */
export async function findApiToken(
  db: Db,
  tokenHash: string,
): Promise<{ id: string; revokedAt: Date | null; lastUsedAt: Date | null; user: AuthUser } | null> {
  const { rows } = await sql(db).query<{ tokenId: string; revokedAt: Date | null; lastUsedAt: Date | null } & AuthUser>(
    `SELECT t.id AS "tokenId", t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt", ${AUTH_USER}
     FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = $1`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return null;
  const { tokenId, revokedAt, lastUsedAt, ...user } = row;
  return { id: tokenId, revokedAt, lastUsedAt, user };
}

export async function touchApiToken(db: Db, id: string, at: Date): Promise<void> {
  await sql(db).query(`UPDATE api_token SET last_used_at = $2 WHERE id = $1::uuid`, [id, at]);
}
