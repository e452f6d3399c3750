// Each network's own way of counting, and its limit. Measuring is always done on the whole
// final text: twitter-text weights are not additive (a URL can form across a join).

import { extractUrlsWithIndices, parseTweet } from 'twitter-text';
import type { ChannelType, PostContent } from '../types';

export const TWITTER_MAX = 280;
export const BLUESKY_MAX_GRAPHEMES = 300;
/** Bluesky's lexicon also caps the UTF-8 size; only emoji-heavy text gets near it. */
export const BLUESKY_MAX_BYTES = 3000;
export const MASTODON_DEFAULT_MAX = 500;
export const FACEBOOK_MAX = 63206;
/** Mastodon counts every http(s) URL as this many characters, whatever its real length. */
export const MASTODON_URL_LENGTH = 23;

const graphemeSegmenter = new Intl.Segmenter('de', { granularity: 'grapheme' });
/**
 * Characters that are one grapheme each and never join a neighbour: Latin (with umlauts), Greek,
 * Cyrillic letters, punctuation, currency, arrows. No combining marks, joiners, variation
 * selectors, surrogates or CR, so a text made only of these has as many graphemes as code units.
 * German press text nearly always is; segmenting it is twenty times slower.
 */
const SINGLE_UNIT_GRAPHEMES = /^[\n\x20-\x7e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1fff\u2010-\u205f\u20a0-\u20bf\u2100-\u23ff]*$/;

export function graphemeCount(text: string): number {
  if (SINGLE_UNIT_GRAPHEMES.test(text)) return text.length;
  let count = 0;
  for (const _segment of graphemeSegmenter.segment(text)) count++;
  return count;
}

export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export function twitterLength(text: string): number {
  return parseTweet(text).weightedLength;
}

/** As Mastodon's StatusLengthValidator: graphemes, with each http(s) URL counted as 23. */
export function mastodonLength(text: string): number {
  let urlCount = 0;
  // URLs never contain whitespace and may start after any whitespace, so extracting from each
  // word that contains "://" finds exactly the URLs of the whole text, far faster.
  if (!text.includes('://')) return graphemeCount(text);
  // Matches start at word starts only: from any other position the scan would be quadratic.
  const rest = text.replace(/(?<!\S)\S*:\/\/\S*/g, (word) => {
    const urls = extractUrlsWithIndices(word, { extractUrlsWithoutProtocol: false });
    if (urls.length === 0) return word;
    let kept = '';
    let at = 0;
    for (const { indices } of urls) {
      kept += word.slice(at, indices[0]);
      at = indices[1];
    }
    urlCount += urls.length;
    return kept + word.slice(at);
  });
  return graphemeCount(rest) + urlCount * MASTODON_URL_LENGTH;
}

export function blueskyLength(text: string): number {
  return graphemeCount(text);
}

export function blueskyFits(text: string): boolean {
  return blueskyLength(text) <= BLUESKY_MAX_GRAPHEMES && utf8Length(text) <= BLUESKY_MAX_BYTES;
}

/** Facebook documents characters without saying which; UTF-16 units are the safe upper bound. */
export function facebookLength(text: string): number {
  return text.length;
}

export interface ChannelLimit {
  /** The network's own length of one post. */
  length(text: string): number;
  limit: number;
  /** Every rule the network enforces, not only the displayed length (Bluesky bytes). */
  fits(text: string): boolean;
}

export function channelLimit(channelType: ChannelType, mastodonMaxChars?: number): ChannelLimit | null {
  switch (channelType) {
    case 'twitter':
      return simpleLimit(twitterLength, TWITTER_MAX);
    case 'mastodon':
      return simpleLimit(mastodonLength, mastodonLimit(mastodonMaxChars));
    case 'bluesky':
      return { length: blueskyLength, limit: BLUESKY_MAX_GRAPHEMES, fits: blueskyFits };
    case 'facebook':
      return simpleLimit(facebookLength, FACEBOOK_MAX);
    case 'blog':
    case 'wordpress':
      return null;
  }
}

function simpleLimit(length: (t: string) => number, limit: number): ChannelLimit {
  return { length, limit, fits: (t) => length(t) <= limit };
}

/** The instance's configured limit; anything but a positive integer means the default. */
export function mastodonLimit(configured: number | undefined): number {
  return configured !== undefined && Number.isInteger(configured) && configured > 0 ? configured : MASTODON_DEFAULT_MAX;
}

/** The texts a network receives as separate posts. */
export function postParts(content: PostContent): string[] {
  if (content.thread && content.thread.length > 0) return content.thread;
  return content.text !== undefined ? [content.text] : [];
}
