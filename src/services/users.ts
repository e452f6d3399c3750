// User administration (admin only, enforced by the route table).
import type { Actor } from '../domain/actor';
import { AppError, conflict, notFound } from '../domain/errors';
import type { Role } from '../domain/types';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../security/passwords';
import { isUniqueViolation } from '../store/db';
import { countActiveAdmins, createUser as insertUser, deleteUserSessions, findUserInOrg, listUsers, updateUser as writeUser } from '../store/users';
import { audit, auditRefusal } from './audit';
import type { Deps } from './deps';

export interface UserInput {
  email: string;
  name: string;
  roles: Role[];
  password?: string;
  disabled?: boolean;
}

function assertPassword(password: string | undefined) {
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'PASSWORD_TOO_SHORT', { min: MIN_PASSWORD_LENGTH }, [{ path: 'password', message: `min ${MIN_PASSWORD_LENGTH}` }]);
  }
}

export function presentUser(u: { id: string; email: string; name: string; roles: string[]; disabled: boolean; language: string; createdAt: Date }) {
  return { id: u.id, email: u.email, name: u.name, roles: u.roles, disabled: u.disabled, language: u.language, createdAt: u.createdAt.toISOString() };
}

// The e-mail address is the installation-wide login name (POST /auth/login takes no organisation),
// so it stays unique across organisations, and an address taken in another organisation answers
// EMAIL_TAKEN exactly like one taken in the admin's own. That one bit must not become a way to
// probe which addresses have accounts: refusals are audited, and after EMAIL_REFUSALS_PER_HOUR of
// them an organisation's admins get 429 for every address (taken or not) until the hour is over.
const EMAIL_REFUSALS_PER_HOUR = 10;
const emailRefusalsKey = (orgId: string) => `herold:users:email-refused:${orgId}`;

async function assertEmailChecksLeft(deps: Deps, actor: Actor, email: string | undefined) {
  if (email === undefined) return;
  const key = emailRefusalsKey(actor.orgId);
  const [count, ttl] = await Promise.all([deps.redis.get(key), deps.redis.ttl(key)]);
  if (Number(count ?? 0) >= EMAIL_REFUSALS_PER_HOUR) throw new AppError(429, 'EMAIL_CHECKS_THROTTLED', { seconds: Math.max(1, ttl) });
}

async function emailTaken(deps: Deps, actor: Actor, email: string | undefined): Promise<AppError> {
  const key = emailRefusalsKey(actor.orgId);
  await deps.redis.multi().incr(key).expire(key, 3600, 'NX').exec();
  await auditRefusal(deps, actor, 'user.email_refused', { type: 'org', id: actor.orgId }, 'EMAIL_TAKEN').catch(() => undefined);
  deps.log.warn({ orgId: actor.orgId, actorId: actor.userId, emailDomain: email?.split('@')[1] }, 'user e-mail refused as taken');
  return conflict('EMAIL_TAKEN');
}

export function list(deps: Deps, actor: Actor) {
  return listUsers(deps.db, actor.orgId);
}

export async function create(deps: Deps, actor: Actor, input: UserInput) {
  assertPassword(input.password);
  await assertEmailChecksLeft(deps, actor, input.email);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  try {
    return await deps.db.$transaction(async (tx) => {
      // The admin chose this password: four-eyes keeps them from approving with this account.
      const user = await insertUser(tx, { orgId: actor.orgId, email: input.email, name: input.name, roles: input.roles, passwordHash, passwordSetById: passwordHash ? actor.userId : null });
      await audit(tx, actor, 'user.created', { type: 'user', id: user.id }, { email: user.email, roles: user.roles });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw await emailTaken(deps, actor, input.email);
    throw err;
  }
}

export async function update(deps: Deps, actor: Actor, id: string, patch: Partial<UserInput> & { language?: 'de' | 'en' }) {
  assertPassword(patch.password);
  await assertEmailChecksLeft(deps, actor, patch.email);
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  try {
    return await deps.db.$transaction(async (tx) => {
      const before = await findUserInOrg(tx, actor.orgId, id);
      if (!before) throw notFound('user');
      const { password: _password, ...fields } = patch;
      void _password;
      await writeUser(tx, actor.orgId, id, { ...fields, password: passwordHash ? { passwordHash, passwordSetById: actor.userId } : undefined });
      const removesAdmin = before.roles.includes('admin') && (patch.disabled || (patch.roles && !patch.roles.includes('admin')));
      if (removesAdmin && (await countActiveAdmins(tx, actor.orgId)) === 0) throw conflict('LAST_ADMIN');
      // Disabling a user or changing their password ends their sessions everywhere.
      if (patch.disabled || passwordHash) await deleteUserSessions(tx, id);
      await audit(tx, actor, 'user.updated', { type: 'user', id }, {
        fields: Object.keys(patch).filter((k) => k !== 'password'),
        passwordChanged: Boolean(passwordHash),
        roles: patch.roles,
      });
      return (await findUserInOrg(tx, actor.orgId, id))!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw await emailTaken(deps, actor, patch.email);
    throw err;
  }
}

/** A signed-in user changes their own language or display name (PATCH /api/v1/me); no role needed. */
export async function updateOwn(deps: Deps, actor: Actor, patch: { language?: 'de' | 'en'; name?: string }) {
  return deps.db.$transaction(async (tx) => {
    const fields = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
    if (fields.length) {
      await writeUser(tx, actor.orgId, actor.userId, { language: patch.language, name: patch.name });
      await audit(tx, actor, 'user.updated', { type: 'user', id: actor.userId }, { fields, self: true });
    }
    const user = await findUserInOrg(tx, actor.orgId, actor.userId);
    if (!user) throw notFound('user');
    return user;
  });
}
