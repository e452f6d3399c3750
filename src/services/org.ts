// The organisation: its policy and the crisis stop (Notfall-Stopp).
import type { Actor } from '../domain/actor';
import { hasRole } from '../domain/actor';
import { conflict, forbidden, invalid, notFound } from '../domain/errors';
import { windowProblems, type PublicationWindow } from '../domain/publication-window';
import { lockOrg } from '../store/db';
import { findOrgById, setPaused, updatePolicy } from '../store/orgs';
import { holdScheduledPosts, releaseHeldPosts } from '../store/posts';
import { audit } from './audit';
import type { Deps } from './deps';
import { enqueueDue } from './scheduling';

export async function getOrg(deps: Deps, actor: Actor) {
  const org = await findOrgById(deps.db, actor.orgId);
  if (!org) throw notFound('organisation');
  return org;
}

/**
 * Changes the policy. Narrower publication windows change nothing that is already scheduled: a
 * time is checked again only when its release is next edited, submitted or approved (an approved
 * time stays approved; an approver who wants it moved reschedules it).
 */
export async function patchPolicy(deps: Deps, actor: Actor, policy: Record<string, unknown>) {
  const problems = windowProblems((policy.publicationWindows as PublicationWindow[] | undefined) ?? []);
  if (problems.length) throw invalid('INVALID_PUBLICATION_WINDOW', problems);
  return deps.db.$transaction(async (tx) => {
    const org = await findOrgById(tx, actor.orgId);
    if (!org) throw notFound('organisation');
    const merged = { ...(org.policy as object), ...policy };
    const updated = await updatePolicy(tx, actor.orgId, merged);
    await audit(tx, actor, 'org.policy_changed', { type: 'organisation', id: actor.orgId }, { policy: merged });
    return updated;
  });
}

/**
 * Crisis stop. Once this transaction commits, every worker's claim sees the pause (the claim
 * reads the flag under a share lock that this update waits for), so no new publish call starts.
 * Scheduled posts are held, not failed.
 */
export async function pause(deps: Deps, actor: Actor, reason: string) {
  if (!hasRole(actor, 'approver')) throw forbidden();
  return deps.db.$transaction(async (tx) => {
    await lockOrg(tx, actor.orgId, 'workflow');
    const org = await findOrgById(tx, actor.orgId);
    if (!org) throw notFound('organisation');
    if (org.paused) return org;
    const updated = await setPaused(tx, actor.orgId, { reason, byId: actor.userId });
    const held = await holdScheduledPosts(tx, { orgId: actor.orgId }, 'paused');
    await audit(tx, actor, 'org.paused', { type: 'organisation', id: actor.orgId }, { reason, held: held.count });
    return updated;
  });
}

/** Resume: posts whose time has not come go out as planned; overdue ones wait for an approver. */
export async function resume(deps: Deps, actor: Actor) {
  if (!hasRole(actor, 'approver')) throw forbidden();
  const result = await deps.db.$transaction(async (tx) => {
    await lockOrg(tx, actor.orgId, 'workflow');
    const org = await findOrgById(tx, actor.orgId);
    if (!org) throw notFound('organisation');
    if (!org.paused) throw conflict('ORG_NOT_PAUSED');
    const updated = await setPaused(tx, actor.orgId, null);
    const now = deps.now();
    const released = await releaseHeldPosts(tx, { orgId: actor.orgId }, 'paused', now);
    const overdue = await tx.post.count({ where: { orgId: actor.orgId, status: 'held', heldReason: 'paused' } });
    await audit(tx, actor, 'org.resumed', { type: 'organisation', id: actor.orgId }, { released: released.count, overdue });
    return updated;
  });
  const ids = await deps.db.post.findMany({ where: { orgId: actor.orgId, status: 'scheduled' }, select: { id: true } });
  await enqueueDue(deps, ids.map((p) => p.id)).catch((err) => deps.log.warn({ err }, 'enqueue after resume failed; the sweep will'));
  return result;
}

export function presentOrg(org: Awaited<ReturnType<typeof getOrg>>) {
  return {
    id: org.id,
    slug: org.slug,
    name: org.name,
    timezone: org.timezone,
    paused: org.paused,
    pausedReason: org.pausedReason ?? undefined,
    pausedAt: org.pausedAt?.toISOString(),
    policy: org.policy,
  };
}
