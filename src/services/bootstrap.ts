// Creating organisations and users outside the API: the CLI and the demo seed use these.
import { AppError, conflict, notFound } from '../domain/errors';
import { ROLES, type Role } from '../domain/types';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../security/passwords';
import { newSecret, sha256 } from '../security/tokens';
import { isUniqueViolation, type Db } from '../store/db';
import { createOrg, findOrgBySlug } from '../store/orgs';
import { createApiToken, createUser, findUserByEmail } from '../store/users';
import { appendAudit } from '../store/audit';

export function parseRoles(value: string): Role[] {
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || bad.length > 0) throw new Error(`unknown role(s): ${bad.join(', ') || '(none)'}; allowed: ${ROLES.join(', ')}`);
  return roles as Role[];
}

export async function addOrg(db: Db, input: { slug: string; name: string; timezone?: string }) {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) throw new Error('slug: lowercase letters, digits and "-" only');
  const timezone = input.timezone ?? 'Europe/Berlin';
  // Intl throws on an unknown zone: refuse it here, not at the first publication.
  new Intl.DateTimeFormat('de-DE', { timeZone: timezone });
  try {
    return await db.$transaction(async (tx) => {
      const org = await createOrg(tx, { slug: input.slug, name: input.name, timezone });
      await appendAudit(tx, { orgId: org.id, actorType: 'system', action: 'org.created', entityType: 'organisation', entityId: org.id, data: { slug: org.slug } });
      return org;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('ORG_EXISTS');
    throw err;
  }
}

export async function addUser(db: Db, input: { orgSlug: string; email: string; name: string; roles: Role[]; password: string }) {
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError(400, 'PASSWORD_TOO_SHORT', { min: MIN_PASSWORD_LENGTH });
  const org = await findOrgBySlug(db, input.orgSlug);
  if (!org) throw notFound('organisation');
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await createUser(tx, { orgId: org.id, email: input.email, name: input.name, roles: input.roles, passwordHash, passwordSetById: null });
      await appendAudit(tx, { orgId: org.id, actorType: 'system', action: 'user.created', entityType: 'user', entityId: user.id, data: { email: user.email, roles: user.roles, via: 'cli' } });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('EMAIL_TAKEN');
    throw err;
  }
}

export async function addToken(db: Db, input: { email: string; name: string }): Promise<string> {
  const user = await findUserByEmail(db, input.email);
  if (!user) throw notFound('user');
  const token = newSecret('hrd');
  await db.$transaction(async (tx) => {
    const row = await createApiToken(tx, { userId: user.id, name: input.name, tokenHash: sha256(token) });
    await appendAudit(tx, { orgId: user.orgId, actorId: user.id, actorType: 'system', action: 'token.created', entityType: 'token', entityId: row.id, data: { name: input.name, via: 'cli' } });
  });
  return token;
}
