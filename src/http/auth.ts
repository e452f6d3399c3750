// Who is calling: a session cookie (web UI) or a bearer token (integrations, CLI tokens).
// Cookie-authenticated writes must also carry the session's CSRF token in X-CSRF-Token.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor';
import { AppError } from '../domain/errors';
import { actorFromSession, actorFromToken, sameSecret } from '../services/auth';
import type { Deps } from '../services/deps';

export const SESSION_COOKIE = 'herold_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Authenticated {
  actor: Actor;
  sessionId?: string;
  csrfToken?: string;
}

export async function authenticate(deps: Deps, req: FastifyRequest): Promise<Authenticated | null> {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = match ? await actorFromToken(deps, match[1]!) : null;
    if (!actor) throw new AppError(401, 'UNAUTHENTICATED');
    return { actor };
  }
  const sessionId = req.cookies?.[SESSION_COOKIE];
  if (!sessionId) return null;
  const session = await actorFromSession(deps, sessionId);
  if (!session) return null;
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers['x-csrf-token'];
    if (!sameSecret(sent, session.csrfToken)) throw new AppError(403, 'CSRF_FAILED');
  }
  return { actor: session.actor, sessionId, csrfToken: session.csrfToken };
}
