// Splitting: derives one post per channel from a press release. Pure: no I/O, no clock.
//
//   release ─ parseRelease ─▶ roles per block and line (title, dateline, lead, quotes, lists,
//           │                  boilerplate, contact, imprint, agency footer)
//           ─ compose-<channel> ─▶ sentences (German-aware) ─▶ atoms ─▶ packThread ─▶ PostContent
//           ─ checks ─▶ limits, organisation guidelines, personal data, links, images
//
// Every social post is measured the network's own way before it is returned; a part over the
// limit is reported as an error (LIMIT_EXCEEDED) and never silently passed on.

import { ARTICLE_CHANNELS, type ChannelType, type PostContent, type ReleaseText, type Warning } from '../types';
import { analyseRelease, type ReleaseAnalysis } from './analysis';
import { composeBlog } from './compose-blog';
import { composeBluesky } from './compose-bluesky';
import { composeFacebook } from './compose-facebook';
import { composeMastodon } from './compose-mastodon';
import { composeTwitter } from './compose-twitter';
import {
  guidelineWarnings,
  htmlToText,
  insecureLinkWarnings,
  linksOf,
  personalDataWarnings,
  splitAtEndMatter,
  visibleText,
} from './guidelines';
import { channelLimit, postParts } from './lengths';
import { mediaWarnings } from './media';
import type { ComposedPost, ComposeOptions, Measurement } from './options';
import { articleLink } from './social';
import { makeWarning } from './warnings';

export type { ComposedPost, ComposeOptions, Measurement } from './options';
export { guidelineFindings, guidelinesFromPolicy, type GuidelineFinding, type Guidelines } from './guidelines';
export {
  parseRelease,
  parseDateline,
  type BlockRole,
  type BodyImage,
  type ClosingBlock,
  type ClosingKind,
  type Dateline,
  type ListBlock,
  type ParseHints,
  type ParsedBlock,
  type ParsedRelease,
  type PhoneKind,
  type PhoneNumber,
  type Quote,
} from './parse';
export { renderMarkdown } from './markdown';
export { splitSentences, splitAtoms } from './sentences';
export { toCamelCaseHashtag } from './hashtags';
export { warningMessage, SPLIT_WARNING_CODES, type SplitWarningCode, type WarningLanguage, type WarningParams } from './warnings';

export function composePost(release: ReleaseText, channelType: ChannelType, opts: ComposeOptions = {}): ComposedPost {
  const analysis = analyseRelease(release);
  const warnings: Warning[] = [];
  const link = articleLink(channelType, opts, warnings);
  let composed: { content: PostContent; warnings: Warning[] };
  switch (channelType) {
    case 'blog':
    case 'wordpress':
      composed = composeBlog(release, analysis, link);
      break;
    case 'facebook':
      composed = composeFacebook(analysis, link, opts);
      break;
    case 'twitter':
      composed = composeTwitter(analysis, link, opts);
      break;
    case 'mastodon':
      composed = composeMastodon(analysis, link, opts);
      break;
    case 'bluesky':
      composed = composeBluesky(analysis, link, opts);
      break;
  }
  const content = composed.content;
  const media = release.media ?? [];
  if (media.length > 0) content.media = media.map((m) => ({ ...m }));
  warnings.push(
    ...composed.warnings,
    ...mediaWarnings(channelType, media),
    ...limitWarnings(channelType, content, opts),
    ...guidelineWarnings(channelType, content, opts.guidelines),
    ...releaseWarnings(channelType, analysis, content),
  );
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
 * (LIMIT_EXCEEDED, error), empty posts, the images' alt texts, the organisation's guidelines
 * (errors), and personal data and plain-http links (warnings).
 */
export function checkPost(channelType: ChannelType, content: PostContent, opts: ComposeOptions = {}): Warning[] {
  const article = ARTICLE_CHANNELS.includes(channelType);
  const text = article ? htmlToText(content.html ?? '') : visibleText(content);
  const { message, endMatter } = article ? splitAtEndMatter(text) : { message: text, endMatter: '' };
  return [
    ...mediaWarnings(channelType, content.media ?? []),
    ...limitWarnings(channelType, content, opts),
    ...guidelineWarnings(channelType, content, opts.guidelines),
    ...personalDataWarnings(channelType, message, endMatter),
    ...insecureLinkWarnings(channelType, linksOf(content)),
    ...(article ? htmlImageWarnings(channelType, content.html ?? '') : []),
  ];
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

/**
 * What the release itself makes worth a look, on the channels that publish it: the article
 * carries the whole text, a social post only what it shows.
 */
function releaseWarnings(channelType: ChannelType, analysis: ReleaseAnalysis, content: PostContent): Warning[] {
  const parsed = analysis.parsed;
  const warnings: Warning[] = [];
  if (parsed.embargo) warnings.push(makeWarning('EMBARGO_IN_TEXT', { channel: channelType, text: parsed.embargo }));
  if (ARTICLE_CHANNELS.includes(channelType)) {
    const text = (from: number, to: number): string =>
      parsed.blocks
        .slice(from, to)
        .flatMap((b) => b.lines.filter((_l, n) => !UNPUBLISHED.has(b.lineRoles[n] ?? b.role)))
        .join('\n');
    warnings.push(
      ...personalDataWarnings(channelType, text(0, parsed.closingStart), text(parsed.closingStart, parsed.blocks.length)),
      ...insecureLinkWarnings(channelType, linksOf(content)),
    );
    parsed.images.forEach((image) => {
      if (image.alt === '') warnings.push(makeWarning('IMAGE_ALT_MISSING', { channel: channelType, text: image.url }));
    });
  } else {
    warnings.push(...personalDataWarnings(channelType, visibleText(content)), ...insecureLinkWarnings(channelType, linksOf(content)));
  }
  return warnings;
}

/** Line roles the article leaves out: they cannot leak anything. */
const UNPUBLISHED: ReadonlySet<string> = new Set(['agency', 'noise', 'embargo']);

function htmlImageWarnings(channelType: ChannelType, html: string): Warning[] {
  const warnings: Warning[] = [];
  for (const [tag] of html.matchAll(/<img\b[^>]*>/gi)) {
    if (!/\salt="[^"]*\S[^"]*"/i.test(tag)) {
      const src = /\ssrc="([^"]*)"/i.exec(tag)?.[1] ?? '';
      warnings.push(makeWarning('IMAGE_ALT_MISSING', { channel: channelType, text: src }));
    }
  }
  return warnings;
}
