// Mastodon: lead + link + CamelCase hashtags. In a thread, link and hashtags stay in the first
// part: that is the status people boost, so it should carry the link card and the tags.

import type { PostContent, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { hashtagList } from './hashtags';
import { mastodonLength, mastodonLimit } from './lengths';
import { joinUnits, packThread, threadCounter } from './pack';
import { packWarnings, sentenceUnits } from './social';
import { makeWarning } from './warnings';

/** Room the first part keeps for text besides its tail, and the widest counter planned for. */
const MIN_TEXT_ROOM = 40;
const WIDEST_COUNTER = threadCounter(999, 999);

export function composeMastodon(
  analysis: ReleaseAnalysis,
  link: string | null,
  hashtagInputs: readonly string[] | undefined,
  configuredMax: number | undefined,
): { content: PostContent; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const maxChars = mastodonLimit(configuredMax);
  if (!analysis.lead) warnings.push(makeWarning('NO_LEAD', { channel: 'mastodon' }));
  const fits = (t: string): boolean => mastodonLength(t) <= maxChars;
  const body = sentenceUnits(analysis.lead?.text ?? analysis.title, '');
  let tags = hashtagList(hashtagInputs);
  const tail = (): string => [link ?? '', tags.join(' ')].filter((p) => p !== '').join('\n\n');

  const single = [joinUnits(body), tail()].filter((p) => p !== '').join('\n\n');
  if (fits(single)) return { content: { text: single }, warnings };

  // The tail goes into the first part of the thread; drop hashtags from the end until it leaves
  // room for some text there.
  const wanted = tags.length;
  while (tags.length > 0 && mastodonLength(tail() + WIDEST_COUNTER) + MIN_TEXT_ROOM > maxChars) tags = tags.slice(0, -1);
  if (tags.length < wanted) warnings.push(makeWarning('HASHTAGS_DROPPED', { channel: 'mastodon', count: wanted - tags.length }));

  const packed = packThread(body, { fits, firstTail: tail() || undefined, counter: threadCounter });
  warnings.push(...packWarnings('mastodon', packed, maxChars, true));
  const parts = packed.parts;
  return { content: parts.length === 1 ? { text: parts[0] ?? '' } : { thread: parts }, warnings };
}
