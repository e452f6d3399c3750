// Turns a release into one post per channel, re-measures hand-edited posts, and decides whether
// the posts may be submitted. The organisation's guidelines apply on every one of these paths.
import { composePost, checkPost, guidelineFindings, measure, warningMessage, type Guidelines } from '../domain/splitting';
import { postParts } from '../domain/splitting/lengths';
import { AppError } from '../domain/errors';
import { ARTICLE_CHANNELS, type ChannelType, type PostContent, type ReleaseText, type Warning } from '../domain/types';
import { adapterFor } from '../channels/registry';
import { articleUrl } from '../channels/blog';

export interface ChannelRef {
  id: string;
  type: string;
  settings: unknown;
}

export interface Composed {
  content: PostContent;
  length: number | null;
  warnings: Warning[];
}

export interface ComposeContext {
  publicUrl: string;
  orgSlug: string;
  releaseSlug: string;
  /** The organisation's Social-Media-Guidelines (read with guidelinesFromPolicy). */
  guidelines?: Guidelines;
  /** Channel types of the whole release: social posts link to the article only if there is one. */
  channelTypes: string[];
  /**
   * Settings of the release's WordPress channel (the first one). Without the built-in blog the
   * article goes to WordPress, and its `siteUrl` plans the link the social posts carry.
   */
  wordpressSettings?: unknown;
}

function settingsOf(channel: ChannelRef): Record<string, unknown> {
  return (channel.settings ?? {}) as Record<string, unknown>;
}

function mastodonMaxChars(settings: Record<string, unknown>): number | undefined {
  return typeof settings.maxChars === 'number' ? settings.maxChars : undefined;
}

/**
 * Room a Bluesky post keeps free beside a planned WordPress link. The final link is whatever
 * WordPress answers, and Bluesky counts it in full (X and Mastodon count any URL as 23, Facebook's
 * limit is out of reach): the presets "day and name" (+11, `/2025/06/14`) and "month and name"
 * (+8), a taken slug (`-2` … `-99`) and a category base such as `/allgemein/` fit within it.
 */
export const WORDPRESS_LINK_RESERVE = 32;

/** The article the social posts link to, and how far its final URL may outgrow this one. */
interface ArticleLink {
  url: string;
  reserve: number;
}

/**
 * The worker links social posts to the blog when the release has one, else to WordPress
 * (src/services/publish.ts, claim): compose plans the same article. The blog's URL is final;
 * WordPress's is only planned, and the worker swaps in the link WordPress answers.
 */
function linkFor(ctx: ComposeContext): ArticleLink | null {
  if (ctx.channelTypes.includes('blog')) return { url: articleUrl(ctx.publicUrl, ctx.orgSlug, ctx.releaseSlug), reserve: 0 };
  if (!ctx.channelTypes.includes('wordpress')) return null;
  const url = plannedWordPressLink(ctx.wordpressSettings, ctx.releaseSlug);
  return url ? { url, reserve: WORDPRESS_LINK_RESERVE } : null;
}

/**
 * The article's address under WordPress's recommended permalink structure "Post name"
 * (`/%postname%/`): the site address, sub-directory included, then the slug the adapter sends
 * (the release slug; Herold's slugs are already what WordPress's sanitize_title keeps), then a
 * slash. Null without a usable siteUrl (a preview without a WordPress channel).
 */
export function plannedWordPressLink(settings: unknown, releaseSlug: string): string | null {
  const siteUrl = (settings as Record<string, unknown> | null | undefined)?.siteUrl;
  if (typeof siteUrl !== 'string') return null;
  let site: URL;
  try {
    site = new URL(siteUrl);
  } catch {
    return null;
  }
  if (site.protocol !== 'https:' && site.protocol !== 'http:') return null;
  return `${site.origin}${site.pathname.replace(/\/+$/, '')}/${releaseSlug}/`;
}

/**
 * A social post names the article it links to in `link`: the worker swaps the final URL for
 * the planned one only where `link` says which one was planned (Facebook sets it itself).
 */
function withLink(type: ChannelType, content: PostContent, link: ArticleLink | null): PostContent {
  if (!link || content.link || ARTICLE_CHANNELS.includes(type)) return content;
  return postParts(content).some((part) => part.includes(link.url)) ? { ...content, link: link.url } : content;
}

export function composeForChannel(release: ReleaseText, channel: ChannelRef, ctx: ComposeContext): Composed {
  const type = channel.type as ChannelType;
  const settings = settingsOf(channel);
  // The organisation's keywords go in as guidelines, so that only those the release is about
  // become hashtags; the required hashtag and the signature are added by the composer.
  const link = linkFor(ctx);
  const composed = composePost(release, type, {
    articleUrl: link?.url ?? null,
    articleUrlReserve: link?.reserve,
    mastodonMaxChars: mastodonMaxChars(settings),
    guidelines: ctx.guidelines,
  });
  const content = withLink(type, composed.content, link);
  return { ...composed, content, warnings: [...composed.warnings, ...adapterFor(type).validate(content, settings)] };
}

/**
 * A hand-edited post: keep the text, recompute its length and check it as a composed post is
 * checked (limit, guidelines, personal data, links, images), plus what the network will say.
 */
export function remeasure(channel: ChannelRef, content: PostContent, guidelines?: Guidelines): Composed {
  const type = channel.type as ChannelType;
  const settings = settingsOf(channel);
  const opts = { mastodonMaxChars: mastodonMaxChars(settings), guidelines };
  const { length } = measure(type, content, opts);
  return { content, length, warnings: [...checkPost(type, content, opts), ...adapterFor(type).validate(content, settings)] };
}

export const blockingWarnings = (warnings: Warning[]) => warnings.filter((w) => w.severity === 'error');

const isGuidelineWarning = (w: Warning): boolean => w.code.startsWith('GUIDELINE_');

interface SubmittedPost {
  channelType: string;
  status: string;
  content: unknown;
  warnings: unknown;
}

/**
 * Refuses to submit posts that break the organisation's guidelines as they are now (the
 * guidelines may have changed since the posts were composed): GUIDELINE_VIOLATION, with the
 * breaches in German and English and one detail per breach whose message is the warning code.
 * Then any other error recorded on a post: CONTENT_BLOCKED.
 */
export function assertSubmittable(posts: readonly SubmittedPost[], guidelines: Guidelines | undefined): void {
  const pending = posts.map((post, index) => ({ post, index })).filter(({ post }) => post.status !== 'published' && post.status !== 'cancelled');
  const breaches = pending.flatMap(({ post, index }) =>
    guidelineFindings(post.channelType as ChannelType, post.content as PostContent, guidelines).map((finding) => ({ index, finding })),
  );
  if (breaches.length > 0) {
    const reason = (lang: 'de' | 'en') => breaches.map(({ finding }) => warningMessage(finding.code, lang, finding.params)).join(' ');
    throw new AppError(
      422,
      'GUIDELINE_VIOLATION',
      { reason: reason('de'), reasonEn: reason('en'), count: breaches.length },
      breaches.map(({ index, finding }) => ({ path: `posts.${index}.content`, message: finding.code })),
    );
  }
  // Guideline warnings stored with a post were checked again just now, against today's rules.
  const blocking = pending.flatMap(({ post }) => blockingWarnings(post.warnings as Warning[]).filter((w) => !isGuidelineWarning(w)));
  if (blocking.length > 0) throw new AppError(422, 'CONTENT_BLOCKED', { reason: blocking.map((w) => w.message).join(' ') });
}
