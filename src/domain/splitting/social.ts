// Pieces shared by the social composers: the link, sentence units and thread warnings.

import { ARTICLE_CHANNELS, type ChannelType, type Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { hashtagsIn, maxHashtags, relevantKeywords, requiredHashtag } from './guidelines';
import { hasHashtag, hashtagList } from './hashtags';
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

/** Title and lead are split for every channel of a preview: the last few results are kept. */
const sentenceCache = new Map<string, string[]>();

function sentencesOf(text: string): string[] {
  let sentences = sentenceCache.get(text);
  if (!sentences) {
    if (sentenceCache.size >= 8) sentenceCache.clear();
    sentences = splitSentences(text);
    sentenceCache.set(text, sentences);
  }
  return sentences;
}

export function sentenceUnits(text: string, firstSep: string, breakBefore = false): Unit[] {
  return sentencesOf(text).map((sentence, i) => ({
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

/** What a social post carries besides its text: hashtags and the organisation's signature. */
export interface Extras {
  /** The guidelines' required hashtag first; may be dropped only when nothing else fits. */
  required: string | null;
  /** Hashtags that may be dropped when room runs out (Mastodon only). */
  optional: string[];
  signature: string | null;
}

/**
 * The hashtags and signature for a channel. Every social post gets the required hashtag and the
 * signature; Mastodon also gets the explicit hashtags and the organisation's keywords the
 * release is about. `bodyText` is the post text already chosen: a tag it holds is not repeated.
 */
export function socialExtras(
  channel: ChannelType,
  analysis: ReleaseAnalysis,
  opts: ComposeOptions,
  bodyText: string,
  warnings: Warning[],
): Extras {
  const guidelines = opts.guidelines;
  const present = hashtagsIn(bodyText);
  const required = requiredHashtag(guidelines);
  let optional =
    channel === 'mastodon'
      ? hashtagList([...(opts.hashtags ?? []), ...relevantKeywords(guidelines?.hashtags, analysis.messageText)]).filter(
          (t) => !hasHashtag(present, t) && (!required || t.toLocaleLowerCase('de') !== required.toLocaleLowerCase('de')),
        )
      : [];
  const max = maxHashtags(guidelines);
  if (max !== null) {
    const room = Math.max(0, max - present.length - (required ? 1 : 0));
    if (optional.length > room) {
      warnings.push(makeWarning('HASHTAGS_DROPPED', { channel, count: optional.length - room }));
      optional = optional.slice(0, room);
    }
  }
  const signature = guidelines?.signature?.trim() || null;
  return {
    required: required && !hasHashtag(present, required) ? required : null,
    optional,
    signature: signature && !bodyText.includes(signature) ? signature : null,
  };
}

/** "#Musterstadt #Kita ^MS": the line the extras make, or ''. */
export function extrasLine(extras: Extras, optional: readonly string[] = extras.optional): string {
  return [...(extras.required ? [extras.required] : []), ...optional, ...(extras.signature ? [extras.signature] : [])].join(' ');
}

/** A lead cut after a whole sentence (a run-on first paragraph) is worth saying. */
export function leadWarnings(channel: ChannelType, analysis: ReleaseAnalysis): Warning[] {
  if (!analysis.lead) return [makeWarning('NO_LEAD', { channel })];
  return analysis.lead.shortened ? [makeWarning('LEAD_SHORTENED', { channel })] : [];
}
