// Each network's own way of counting, and its limit. Measuring is always done on the whole
// final text: twitter-text weights are not additive where text is joined without a space (a URL
// can form across such a join). They are additive across whitespace, which no URL, emoji or
// composed character spans; long texts are measured in pieces cut there (see twitterLength).

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
  forEachGrapheme(text, () => count++);
  return count;
}

export function graphemes(text: string): string[] {
  if (SINGLE_UNIT_GRAPHEMES.test(text)) return text.split('');
  const all: string[] = [];
  forEachGrapheme(text, (g) => all.push(g));
  return all;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Code units segmented at a time; see forEachGrapheme. */
const SEGMENT_WINDOW = 256;

/**
 * Calls `visit` with each grapheme of `text`, in order. Intl.Segmenter in Node 20 spends time in
 * proportion to the whole string on every segment it yields, so one call over a 40,000-character
 * word is quadratic (seconds). Segmenting a short window at a time keeps it linear: a window
 * starts at a real boundary, and every boundary inside it is decided by the text before it and
 * the one character after it, so all segments but the window's last are right; the last may be
 * cut short by the window's end and is segmented again at the start of the next window.
 */
export function forEachGrapheme(text: string, visit: (grapheme: string) => void, window = SEGMENT_WINDOW): void {
  let start = 0;
  let size = window;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    // Never between the two halves of a surrogate pair: the character after a boundary counts.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
    const atEnd = end === text.length;
    let pending: string | null = null;
    let consumed = 0;
    for (const { segment } of graphemeSegmenter.segment(text.slice(start, end))) {
      if (pending !== null) {
        visit(pending);
        consumed += pending.length;
      }
      pending = segment;
    }
    if (atEnd || consumed === 0) {
      // The last window, or one grapheme wider than the window (a long run of combining marks):
      // at the end it is whole; otherwise look again with a wider window.
      if (atEnd) {
        if (pending !== null) visit(pending);
        return;
      }
      size *= 2;
      continue;
    }
    start += consumed;
    size = window;
  }
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * Whitespace a URL never spans and twitter-text accepts before one. (U+FEFF is missing on
 * purpose: twitter-text finds no URL right after it, so a piece must not start there.)
 */
const SPACE_RUN = /[ \t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
/** Up to this many code units go to twitter-text in one call. */
const MEASURE_PIECE = 1024;
/**
 * A run without whitespace longer than this is not handed to twitter-text: its URL pattern
 * retries from every character of such a run, so one call on 4,000 characters of "東." takes
 * half a second. Such a run is counted from above instead (overlongRunLength).
 */
const MAX_MEASURED_RUN = 1024;

/**
 * X's weighted length (twitter-text): most CJK and emoji count 2, every URL 23. Text longer than
 * a piece is measured piece by piece, cut after whitespace, which keeps the count exact (see the
 * head of this file) and the time linear; twitter-text on a whole 40,000-character text is not.
 */
export function twitterLength(text: string): number {
  if (text.length <= MEASURE_PIECE) return parseTweet(text).weightedLength;
  let total = 0;
  for (const piece of piecesAtWhitespace(text, MEASURE_PIECE)) {
    total += piece.length > MAX_MEASURED_RUN ? overlongRunLength(piece) : parseTweet(piece).weightedLength;
  }
  return total;
}

/**
 * A run of more than MAX_MEASURED_RUN characters without whitespace, counted so that X never
 * counts more: each character at its weight, plus 23 for every "." (every URL has one in its
 * domain, and a URL counts 23 whatever its own length). Such a run is longer than any post, so
 * the packer cuts it, and the pieces are short enough to be measured exactly.
 */
function overlongRunLength(run: string): number {
  let dots = 0;
  for (let at = run.indexOf('.'); at !== -1; at = run.indexOf('.', at + 1)) dots++;
  // Without a "." twitter-text looks for no URL at all; "-" weighs what "." weighs.
  return parseTweet(dots > 0 ? run.replaceAll('.', '-') : run).weightedLength + dots * 23;
}

/**
 * Consecutive pieces of `text`, each at most `size` code units and cut only after whitespace; a
 * run without whitespace that is longer than `size` is a piece of its own.
 */
function piecesAtWhitespace(text: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let lastCut = 0;
  SPACE_RUN.lastIndex = 0;
  for (let m = SPACE_RUN.exec(text); ; m = SPACE_RUN.exec(text)) {
    const cut = m ? m.index + m[0].length : text.length;
    if (cut - start > size && lastCut > start) {
      pieces.push(text.slice(start, lastCut));
      start = lastCut;
    }
    if (cut - start > size) {
      // One run longer than a piece: the run alone, then its whitespace.
      const runEnd = m ? m.index : text.length;
      if (runEnd > start) pieces.push(text.slice(start, runEnd));
      if (cut > runEnd) pieces.push(text.slice(runEnd, cut));
      start = cut;
    }
    lastCut = cut;
    if (!m) break;
  }
  SPACE_RUN.lastIndex = 0;
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/** As Mastodon's StatusLengthValidator: graphemes, with each http(s) URL counted as 23. */
export function mastodonLength(text: string): number {
  let urlCount = 0;
  // URLs never contain whitespace and may start after any whitespace, so extracting from each
  // word that contains "://" finds exactly the URLs of the whole text, far faster.
  if (!text.includes('://')) return graphemeCount(text);
  // Matches start at word starts only: from any other position the scan would be quadratic.
  const rest = text.replace(/(?<!\S)\S*:\/\/\S*/g, (word) => {
    if (word.length > MAX_MEASURED_RUN) {
      // As for X (overlongRunLength): counted from above, every "://" as a URL of its own.
      urlCount += word.split('://').length - 1;
      return word;
    }
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
