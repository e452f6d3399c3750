// Turns a release into one post per channel, and re-measures hand-edited posts.
import { composePost, measure } from '../domain/splitting';
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
  hashtags?: string[];
  /** Channel types of the whole release: social posts link to the article only if there is one. */
  channelTypes: string[];
}

function settingsOf(channel: ChannelRef): Record<string, unknown> {
  return (channel.settings ?? {}) as Record<string, unknown>;
}

function linkFor(ctx: ComposeContext): string | null {
  return ctx.channelTypes.includes('blog') ? articleUrl(ctx.publicUrl, ctx.orgSlug, ctx.releaseSlug) : null;
}

export function composeForChannel(release: ReleaseText, channel: ChannelRef, ctx: ComposeContext): Composed {
  const type = channel.type as ChannelType;
  const settings = settingsOf(channel);
  const composed = composePost(release, type, {
    articleUrl: linkFor(ctx),
    mastodonMaxChars: typeof settings.maxChars === 'number' ? settings.maxChars : undefined,
    hashtags: ctx.hashtags,
  });
  return { ...composed, warnings: [...composed.warnings, ...adapterFor(type).validate(composed.content, settings)] };
}

/** A hand-edited post: keep the text, recompute its length and what the network will say. */
export function remeasure(channel: ChannelRef, content: PostContent): Composed {
  const type = channel.type as ChannelType;
  const settings = settingsOf(channel);
  const { length } = measure(type, content, {
    mastodonMaxChars: typeof settings.maxChars === 'number' ? settings.maxChars : undefined,
  });
  return { content, length, warnings: adapterFor(type).validate(content, settings) };
}

export const blockingWarnings = (warnings: Warning[]) => warnings.filter((w) => w.severity === 'error');
