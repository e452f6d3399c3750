// Who is calling: resolved once per request by src/http/auth and passed to every service.
import type { Role } from './types';

export interface Actor {
  userId: string;
  orgId: string;
  email: string;
  name: string;
  roles: Role[];
  /** Set when the call came with an API token instead of a session. */
  tokenId?: string;
  language: 'de' | 'en';
}

export const hasRole = (actor: Actor, role: Role) => actor.roles.includes(role);
export const auditActor = (actor: Actor) => ({
  orgId: actor.orgId,
  actorId: actor.userId,
  actorType: actor.tokenId ? ('token' as const) : ('user' as const),
});
