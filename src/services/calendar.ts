// The publication plan as an iCalendar feed for Outlook and Thunderbird.
import ical from 'ical-generator';
import type { Actor } from '../domain/actor';
import { findOrgById } from '../store/orgs';
import type { Deps } from './deps';

const LABEL: Record<string, string> = {
  blog: 'Blog',
  facebook: 'Facebook',
  twitter: 'X',
  wordpress: 'WordPress',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
};
const STATUS: Record<string, string> = { scheduled: 'geplant', held: 'angehalten', published: 'veröffentlicht', publishing: 'wird veröffentlicht' };

export async function calendarFeed(deps: Deps, actor: Actor): Promise<string> {
  const org = await findOrgById(deps.db, actor.orgId);
  const from = new Date(deps.now().getTime() - 90 * 86_400_000);
  const posts = await deps.db.post.findMany({
    where: { orgId: actor.orgId, status: { in: ['scheduled', 'held', 'publishing', 'published'] }, OR: [{ dueAt: { gte: from } }, { publishedAt: { gte: from } }] },
    include: { release: { select: { title: true } } },
    orderBy: { dueAt: 'asc' },
    take: 5_000,
  });
  const calendar = ical({ name: `Herold – ${org?.name ?? ''}`, timezone: org?.timezone ?? 'Europe/Berlin', prodId: { company: 'Herold', product: 'Veröffentlichungsplan', language: 'DE' } });
  for (const post of posts) {
    const start = post.publishedAt ?? post.dueAt ?? deps.now();
    calendar.createEvent({
      id: `${post.id}@herold`,
      start,
      end: new Date(start.getTime() + 15 * 60_000),
      summary: `[${LABEL[post.channelType] ?? post.channelType}] ${post.release.title}`,
      description: `Status: ${STATUS[post.status] ?? post.status}${post.externalUrl ? `\n${post.externalUrl}` : ''}`,
      url: post.externalUrl ?? undefined,
    });
  }
  return calendar.toString();
}
