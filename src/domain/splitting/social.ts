// Pieces shared by the social composers: the link, sentence units and thread warnings.

import { ARTICLE_CHANNELS, type ChannelType, type Warning } from '../types';
import type { ComposeOptions } from './options';
import type { PackResult, Unit } from './pack';
import { splitSentences } from './sentences';
import { makeWarning } from './warnings';

/** http(s) only and no whitespace: the link is pasted into the post text as it is. */
const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;

/**
 * The article URL to put into the post, or null. Social posts exist to lead to the article, so
 * a missing link is worth a warning there; the article channels are the link themselves.
 */
export function articleLink(channel: ChannelType, opts: ComposeOptions, warnings: Warning[]): string | null {
  const url = opts.articleUrl?.trim();
  if (!url) {
    if (!ARTICLE_CHANNELS.includes(channel)) warnings.push(makeWarning('NO_ARTICLE_LINK', { channel }));
    return null;
  }
  if (!HTTP_URL.test(url)) {
    warnings.push(makeWarning('INVALID_ARTICLE_LINK', { channel }));
    return null;
  }
  return url;
}

export function sentenceUnits(text: string, firstSep: string, breakBefore = false): Unit[] {
  return splitSentences(text).map((sentence, i) => ({
    text: sentence,
    sep: i === 0 ? firstSep : ' ',
    breakBefore: i === 0 && breakBefore,
  }));
}

export function packWarnings(channel: ChannelType, result: PackResult, limit: number, threaded: boolean): Warning[] {
  const warnings: Warning[] = [];
  if (threaded && result.parts.length > 1) {
    warnings.push(makeWarning('TEXT_TRUNCATED_TO_THREAD', { channel, parts: result.parts.length }));
  }
  if (result.splitSentence) warnings.push(makeWarning('SENTENCE_SPLIT', { channel }));
  if (result.splitWord) warnings.push(makeWarning('WORD_SPLIT', { channel, limit }));
  return warnings;
}
