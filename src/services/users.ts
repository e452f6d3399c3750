// User administration (admin only, enforced by the route table).
import type { Actor } from '../domain/actor';
import { AppError, conflict, notFound } from '../domain/errors';
import type { Role } from '../domain/types';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../security/passwords';
import { isUniqueViolation } from '../store/db';
import { countActiveAdmins, createUser as insertUser, deleteUserSessions, findUserInOrg, listUsers, updateUser as writeUser } from '../store/users';
import { audit } from './audit';
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

export function list(deps: Deps, actor: Actor) {
  return listUsers(deps.db, actor.orgId);
}

export async function create(deps: Deps, actor: Actor, input: UserInput) {
  assertPassword(input.password);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  try {
    return await deps.db.$transaction(async (tx) => {
      const user = await insertUser(tx, { orgId: actor.orgId, email: input.email, name: input.name, roles: input.roles, passwordHash });
      await audit(tx, actor, 'user.created', { type: 'user', id: user.id }, { email: user.email, roles: user.roles });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('EMAIL_TAKEN');
    throw err;
  }
}

export async function update(deps: Deps, actor: Actor, id: string, patch: Partial<UserInput> & { language?: 'de' | 'en' }) {
  assertPassword(patch.password);
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  try {
    return await deps.db.$transaction(async (tx) => {
      const before = await findUserInOrg(tx, actor.orgId, id);
      if (!before) throw notFound('user');
      const { password: _password, ...fields } = patch;
      void _password;
      await writeUser(tx, actor.orgId, id, { ...fields, passwordHash });
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
    if (isUniqueViolation(err)) throw conflict('EMAIL_TAKEN');
    throw err;
  }
}
