// The public blog of each organisation: /blog/<org>/, /blog/<org>/<slug>, /blog/<org>/feed.xml.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PostContent } from '../../domain/types';
import type { Deps } from '../../services/deps';
import { findBlogChannel, findPublishedArticle, listPublishedArticles } from '../../store/blog';
import { findOrgBySlug } from '../../store/orgs';
import { BLOG_CSS, renderArticlePage, renderAtomFeed, renderIndexPage, renderNotFoundPage, type BlogArticle, type BlogOrg } from '../../web/blog/render';

type ArticleRow = NonNullable<Awaited<ReturnType<typeof findPublishedArticle>>>;

function toArticle(row: ArticleRow): BlogArticle {
  const content = row.content as PostContent;
  const image = content.media?.[0];
  // Everything shown comes from the approved post: the release row may already hold the next,
  // unapproved revision. (Subtitle and dateline are part of the approved html.)
  return {
    slug: row.release.slug,
    title: content.title ?? row.release.slug,
    subtitle: null,
    dateline: null,
    html: content.html ?? '',
    publishedAt: row.publishedAt ?? new Date(0),
    url: row.externalUrl ?? '',
    imageUrl: image?.url ?? null,
    imageAlt: image?.alt ?? null,
  };
}

/** The organisation's blog, if it has a blog channel: the id for queries, the rest for the page. */
const SLUG = /^[a-z0-9][a-z0-9-]{0,119}$/;

async function loadBlog(deps: Deps, slug: string): Promise<{ orgId: string; org: BlogOrg } | null> {
  if (!SLUG.test(slug)) return null;
  const org = await findOrgBySlug(deps.db, slug);
  if (!org) return null;
  const channel = await findBlogChannel(deps.db, org.id);
  if (!channel) return null;
  const settings = (channel.settings ?? {}) as { title?: string };
  return { orgId: org.id, org: { slug: org.slug, name: org.name, blogTitle: settings.title ?? null } };
}

function html(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'public, max-age=60').send(body);
}

export function registerBlog(app: FastifyInstance, deps: Deps) {
  const opts = { baseUrl: deps.config.publicUrl };

  app.get('/blog/:org/blog.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(BLOG_CSS));

  app.get<{ Params: { org: string } }>('/blog/:org/', async (req, reply) => {
    const blog = await loadBlog(deps, req.params.org);
    if (!blog) return html(reply, 404, renderNotFoundPage(null, opts));
    const rows = await listPublishedArticles(deps.db, blog.orgId);
    return html(reply, 200, renderIndexPage(blog.org, rows.map(toArticle), opts));
  });

  app.get<{ Params: { org: string } }>('/blog/:org/feed.xml', async (req, reply) => {
    const blog = await loadBlog(deps, req.params.org);
    if (!blog) return html(reply, 404, renderNotFoundPage(null, opts));
    const rows = await listPublishedArticles(deps.db, blog.orgId);
    return reply.type('application/atom+xml; charset=utf-8').send(renderAtomFeed(blog.org, rows.map(toArticle), opts));
  });

  app.get<{ Params: { org: string; slug: string } }>('/blog/:org/:slug', async (req, reply) => {
    const blog = await loadBlog(deps, req.params.org);
    const row = blog && SLUG.test(req.params.slug) ? await findPublishedArticle(deps.db, blog.orgId, req.params.slug) : null;
    if (!blog || !row) return html(reply, 404, renderNotFoundPage(blog?.org ?? null, opts));
    return html(reply, 200, renderArticlePage(blog.org, toArticle(row), opts));
  });
}
