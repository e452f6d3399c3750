// Users, sessions and API tokens. Every lookup by id is scoped to the caller's organisation.
import type { DbOrTx } from './db';

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

export function findSession(db: DbOrTx, idHash: string) {
  return db.session.findUnique({ where: { idHash }, include: { user: true } });
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

export function findApiToken(db: DbOrTx, tokenHash: string) {
  return db.apiToken.findUnique({ where: { tokenHash }, include: { user: true } });
}

export function touchApiToken(db: DbOrTx, id: string) {
  return db.apiToken.update({ where: { id }, data: { lastUsedAt: new Date() } });
}
