// Login, sessions and API tokens. Unknown users and wrong passwords get the same answer in the
// same time; repeated failures are throttled per account and per client address (in Redis, so
// all API processes share the count).
import { timingSafeEqual } from 'node:crypto';
import type { Actor } from '../domain/actor';
import { AppError, notFound } from '../domain/errors';
import type { Role } from '../domain/types';
import { dummyPasswordHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../security/passwords';
import { newSecret, sha256 } from '../security/tokens';
import {
  createApiToken,
  createSession,
  deleteSession,
  deleteUserSessions,
  findApiToken,
  findSession,
  findUserByEmail,
  findUserPasswordHash,
  touchApiToken,
  updateUser,
} from '../store/users';
import { audit, auditRefusal } from './audit';
import type { Deps } from './deps';

const FAILURES_PER_ACCOUNT = 5;
const FAILURES_PER_ADDRESS = 30;
const LOCKOUT_SECONDS = 15 * 60;

/**
 * Compares a secret a client sent (CSRF token, login form token) with the expected one in constant
 * time. Anything but a string of the same byte length is refused without comparing: the length of
 * a token is no secret, and timingSafeEqual throws on unequal lengths. An empty expected value
 * (no session token, no cookie) matches nothing.
 */
export function sameSecret(sent: unknown, expected: string | null | undefined): boolean {
  if (typeof sent !== 'string' || !expected) return false;
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function actorOf(user: { id: string; orgId: string; email: string; name: string; roles: string[]; language: string }, tokenId?: string): Actor {
  return {
    userId: user.id,
    orgId: user.orgId,
    email: user.email,
    name: user.name,
    roles: user.roles as Role[],
    tokenId,
    language: user.language === 'en' ? 'en' : 'de',
  };
}

/**
 * Reserves the attempt before the password is checked (INCR is atomic), so attempts sent all at
 * once are counted like attempts sent one by one. Returns the seconds to wait when over a limit.
 */
async function reserveAttempt(deps: Deps, keys: string[], limits: number[]): Promise<number | null> {
  const multi = deps.redis.multi();
  for (const key of keys) multi.incr(key).expire(key, LOCKOUT_SECONDS, 'NX');
  const results = (await multi.exec()) ?? [];
  for (const [i, key] of keys.entries()) {
    const count = Number(results[i * 2]?.[1] ?? 0);
    if (count > limits[i]!) return Math.max(1, await deps.redis.ttl(key));
  }
  return null;
}

/** A successful login does not count against the account or the (possibly shared) address. */
async function forgiveAttempt(deps: Deps, keys: string[]) {
  await deps.redis.multi().del(keys[0]!).decr(keys[1]!).exec();
}

export interface LoginResult {
  sessionId: string;
  csrfToken: string;
  actor: Actor;
}

export async function login(deps: Deps, email: string, password: string, address: string): Promise<LoginResult> {
  const normalised = email.trim().toLowerCase();
  const keys = [`herold:login:account:${sha256(normalised)}`, `herold:login:address:${address}`];
  const wait = await reserveAttempt(deps, keys, [FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS]);
  if (wait !== null) throw new AppError(429, 'LOGIN_THROTTLED', { seconds: wait });

  const user = await findUserByEmail(deps.db, normalised);
  const ok = user?.passwordHash && !user.disabled
    ? await verifyPassword(user.passwordHash, password)
    : (await verifyPassword(await dummyPasswordHash(), password), false);
  if (!user || !ok) {
    if (user) {
      await deps.db.$transaction((tx) => audit(tx, { orgId: user.orgId, system: true }, 'auth.login_failed', { type: 'user', id: user.id }, { address }));
    }
    throw new AppError(401, 'INVALID_CREDENTIALS');
  }
  await forgiveAttempt(deps, keys);
  // A fresh random id at every login: a session id known before login is worthless after it.
  const sessionId = newSecret('hs');
  const csrfToken = newSecret('csrf');
  const expiresAt = new Date(deps.now().getTime() + deps.config.sessionHours * 3_600_000);
  await deps.db.$transaction(async (tx) => {
    await createSession(tx, { idHash: sha256(sessionId), userId: user.id, csrfToken, expiresAt });
    await audit(tx, actorOf(user), 'auth.login', { type: 'user', id: user.id }, { address });
  });
  return { sessionId, csrfToken, actor: actorOf(user) };
}

export async function logout(deps: Deps, sessionId: string, actor: Actor) {
  await deps.db.$transaction(async (tx) => {
    await deleteSession(tx, sha256(sessionId));
    await audit(tx, actor, 'auth.logout', { type: 'user', id: actor.userId });
  });
}

export async function actorFromSession(deps: Deps, sessionId: string): Promise<{ actor: Actor; csrfToken: string } | null> {
  const session = await findSession(deps.db, sha256(sessionId));
  if (!session || session.expiresAt < deps.now() || session.user.disabled) return null;
  return { actor: actorOf(session.user), csrfToken: session.csrfToken };
}

/**
 * How stale a token's "last used" time may get. It tells an admin whether a token is still in
 * use; writing it on every call (100 a second under load) cost a round trip and a committed
 * write per request for nothing finer than that.
 */
export const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** The token's user, read fresh on every call: a revocation, a disabled user or a role change counts from the next request on. */
export async function actorFromToken(deps: Deps, token: string): Promise<Actor | null> {
  const found = await findApiToken(deps.db, sha256(token));
  if (!found || found.revokedAt || found.user.disabled) return null;
  const now = new Date();
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= TOKEN_TOUCH_INTERVAL_MS) {
    // Best effort: a lost "last used" update must not fail the request.
    touchApiToken(deps.db, found.id, now).catch(() => undefined);
  }
  return actorOf(found.user, found.id);
}

export async function createToken(deps: Deps, actor: Actor, name: string): Promise<{ id: string; token: string }> {
  const token = newSecret('hrd');
  const created = await deps.db.$transaction(async (tx) => {
    const row = await createApiToken(tx, { userId: actor.userId, name, tokenHash: sha256(token) });
    await audit(tx, actor, 'token.created', { type: 'token', id: row.id }, { name });
    return row;
  });
  return { id: created.id, token };
}

/**
 * A user sets their own password (PATCH /api/v1/me). The current one is required, so a session
 * left open cannot take the account over, and wrong guesses count against the account's login
 * throttle. The new password must differ: whoever set the old one (an admin, say) would still
 * know it. Afterwards the user is recorded as the one who set it, which lifts the four-eyes
 * account-control rule (domain/workflow.ts); the user's other sessions end.
 */
export async function changeOwnPassword(
  deps: Deps,
  actor: Actor,
  input: { currentPassword?: string; password: string },
  sessionId?: string,
): Promise<void> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'PASSWORD_TOO_SHORT', { min: MIN_PASSWORD_LENGTH }, [{ path: 'password', message: `min ${MIN_PASSWORD_LENGTH}` }]);
  }
  if (!input.currentPassword) {
    throw new AppError(400, 'VALIDATION_FAILED', {}, [{ path: 'currentPassword', message: 'required to change the password' }]);
  }
  const user = await findUserPasswordHash(deps.db, actor.orgId, actor.userId);
  if (!user) throw notFound('user');
  const key = `herold:login:account:${sha256(user.email)}`;
  const wait = await reserveAttempt(deps, [key], [FAILURES_PER_ACCOUNT]);
  if (wait !== null) throw new AppError(429, 'LOGIN_THROTTLED', { seconds: wait });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await auditRefusal(deps, actor, 'user.password_change_refused', { type: 'user', id: actor.userId }, 'CURRENT_PASSWORD_WRONG');
    throw new AppError(400, 'CURRENT_PASSWORD_WRONG', {}, [{ path: 'currentPassword', message: 'wrong password' }]);
  }
  await deps.redis.del(key);
  if (await verifyPassword(user.passwordHash, input.password)) {
    throw new AppError(400, 'PASSWORD_UNCHANGED', {}, [{ path: 'password', message: 'same as the current password' }]);
  }
  const passwordHash = await hashPassword(input.password);
  await deps.db.$transaction(async (tx) => {
    await updateUser(tx, actor.orgId, actor.userId, { password: { passwordHash, passwordSetById: actor.userId } });
    await deleteUserSessions(tx, actor.userId, sessionId ? sha256(sessionId) : undefined);
    await audit(tx, actor, 'user.updated', { type: 'user', id: actor.userId }, { fields: ['password'], passwordChanged: true, self: true });
  });
}
