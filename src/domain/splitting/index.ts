// Splitting v1: derives one post per channel from a press release. Pure: no I/O, no clock.
//
//   release ─ analyseRelease ─▶ blocks (marked lexer) ─▶ lead paragraph, contact part
//           ─ compose-<channel> ─▶ sentences (German-aware) ─▶ packThread ─▶ PostContent
//
// Every social post is measured the network's own way before it is returned; a part over the
// limit is reported as an error (LIMIT_EXCEEDED) and never silently passed on.

import type { ChannelType, PostContent, ReleaseText, Warning } from '../types';
import { analyseRelease } from './analysis';
import { composeBlog } from './compose-blog';
import { composeBluesky } from './compose-bluesky';
import { composeFacebook } from './compose-facebook';
import { composeMastodon } from './compose-mastodon';
import { composeTwitter } from './compose-twitter';
import { channelLimit, postParts } from './lengths';
import { mediaWarnings } from './media';
import type { ComposedPost, ComposeOptions, Measurement } from './options';
import { articleLink } from './social';
import { makeWarning } from './warnings';

export type { ComposedPost, ComposeOptions, Measurement } from './options';
export { renderMarkdown } from './markdown';
export { splitSentences } from './sentences';
export { toCamelCaseHashtag } from './hashtags';
export { warningMessage, SPLIT_WARNING_CODES, type SplitWarningCode, type WarningLanguage } from './warnings';

export function composePost(release: ReleaseText, channelType: ChannelType, opts: ComposeOptions = {}): ComposedPost {
  const analysis = analyseRelease(release);
  const warnings: Warning[] = [];
  let composed: { content: PostContent; warnings: Warning[] };
  switch (channelType) {
    case 'blog':
    case 'wordpress':
      composed = composeBlog(release, analysis, articleLink(channelType, opts, warnings));
      break;
    case 'facebook':
      composed = composeFacebook(analysis, articleLink(channelType, opts, warnings));
      break;
    case 'twitter':
      composed = composeTwitter(analysis, articleLink(channelType, opts, warnings));
      break;
    case 'mastodon':
      composed = composeMastodon(analysis, articleLink(channelType, opts, warnings), opts.hashtags, opts.mastodonMaxChars);
      break;
    case 'bluesky':
      composed = composeBluesky(analysis, articleLink(channelType, opts, warnings));
      break;
  }
  const content = composed.content;
  const media = release.media ?? [];
  if (media.length > 0) content.media = media.map((m) => ({ ...m }));
  warnings.push(...composed.warnings, ...mediaWarnings(channelType, media), ...limitWarnings(channelType, content, opts));
  return { content, length: measure(channelType, content, opts).length, warnings };
}

/** The network's own length of the longest part, and its limit; null for article channels. */
export function measure(channelType: ChannelType, content: PostContent, opts: ComposeOptions = {}): Measurement {
  const limit = channelLimit(channelType, opts.mastodonMaxChars);
  if (!limit) return { length: null, limit: null };
  const lengths = postParts(content).map((part) => limit.length(part));
  return { length: lengths.length > 0 ? Math.max(...lengths) : 0, limit: limit.limit };
}

/**
 * Checks a hand-edited post as composePost checks its own: length against the network's limit
 * (LIMIT_EXCEEDED, error), empty posts, and the images' alt texts.
 */
export function checkPost(channelType: ChannelType, content: PostContent, opts: ComposeOptions = {}): Warning[] {
  return [...mediaWarnings(channelType, content.media ?? []), ...limitWarnings(channelType, content, opts)];
}

/** The last guard: composition is meant to make these impossible, so they are errors. */
function limitWarnings(channelType: ChannelType, content: PostContent, opts: ComposeOptions): Warning[] {
  const limit = channelLimit(channelType, opts.mastodonMaxChars);
  if (!limit) return content.html?.trim() ? [] : [makeWarning('EMPTY_POST', { channel: channelType })];
  const parts = postParts(content);
  if (parts.length === 0 || parts.every((p) => p.trim() === '')) return [makeWarning('EMPTY_POST', { channel: channelType })];
  const over = parts.filter((p) => !limit.fits(p));
  if (over.length === 0) return [];
  const length = Math.max(...over.map((p) => limit.length(p)));
  return [makeWarning('LIMIT_EXCEEDED', { channel: channelType, length, limit: limit.limit })];
}
