// Read model of the public blog: published blog posts of one organisation.
import type { DbOrTx } from './db';

const select = {
  content: true,
  publishedAt: true,
  externalUrl: true,
  release: { select: { slug: true, title: true, subtitle: true, dateline: true } },
} as const;

export function listPublishedArticles(db: DbOrTx, orgId: string, limit = 50) {
  return db.post.findMany({
    where: { orgId, channelType: 'blog', status: 'published' },
    orderBy: { publishedAt: 'desc' },
    take: limit,
    select,
  });
}

export function findPublishedArticle(db: DbOrTx, orgId: string, slug: string) {
  return db.post.findFirst({
    where: { orgId, channelType: 'blog', status: 'published', release: { slug } },
    select,
  });
}

export function findBlogChannel(db: DbOrTx, orgId: string) {
  return db.channel.findFirst({ where: { orgId, type: 'blog' }, orderBy: { createdAt: 'asc' } });
}
