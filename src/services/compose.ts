// Turns a release into one post per channel, re-measures hand-edited posts, and decides whether
// the posts may be submitted. The organisation's guidelines apply on every one of these paths.
import { composePost, checkPost, guidelineFindings, measure, warningMessage, type Guidelines } from '../domain/splitting';
import { AppError } from '../domain/errors';
import type { ChannelType, PostContent, ReleaseText, Warning } from '../domain/types';
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
}

function settingsOf(channel: ChannelRef): Record<string, unknown> {
  return (channel.settings ?? {}) as Record<string, unknown>;
}

function mastodonMaxChars(settings: Record<string, unknown>): number | undefined {
  return typeof settings.maxChars === 'number' ? settings.maxChars : undefined;
}

function linkFor(ctx: ComposeContext): string | null {
  return ctx.channelTypes.includes('blog') ? articleUrl(ctx.publicUrl, ctx.orgSlug, ctx.releaseSlug) : null;
}

export function composeForChannel(release: ReleaseText, channel: ChannelRef, ctx: ComposeContext): Composed {
  const type = channel.type as ChannelType;
  const settings = settingsOf(channel);
  // The organisation's keywords go in as guidelines, so that only those the release is about
  // become hashtags; the required hashtag and the signature are added by the composer.
  const composed = composePost(release, type, {
    articleUrl: linkFor(ctx),
    mastodonMaxChars: mastodonMaxChars(settings),
    guidelines: ctx.guidelines,
  });
  return { ...composed, warnings: [...composed.warnings, ...adapterFor(type).validate(composed.content, settings)] };
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
