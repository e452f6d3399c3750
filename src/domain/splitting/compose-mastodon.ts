// Mastodon: lead + link + CamelCase hashtags. In a thread, link and hashtags stay in the first
// part: that is the status people boost, so it should carry the link card and the tags.

import type { PostContent, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { mastodonLength, mastodonLimit } from './lengths';
import type { ComposeOptions } from './options';
import { joinUnits, packThread, threadCounter, type Unit } from './pack';
import { extrasLine, leadWarnings, packWarnings, sentenceUnits, socialExtras } from './social';
import { makeWarning } from './warnings';

/** Room the first part keeps for text besides its tail, and the widest counter planned for. */
const MIN_TEXT_ROOM = 40;
const WIDEST_COUNTER = threadCounter(999, 999);

export function composeMastodon(
  analysis: ReleaseAnalysis,
  link: string | null,
  opts: ComposeOptions,
): { content: PostContent; warnings: Warning[] } {
  const warnings: Warning[] = leadWarnings('mastodon', analysis);
  const maxChars = mastodonLimit(opts.mastodonMaxChars);
  const fits = (t: string): boolean => mastodonLength(t) <= maxChars;
  const bodyText = analysis.lead?.text ?? analysis.socialTitle;
  let body: Unit[] = sentenceUnits(bodyText, '');
  const extras = socialExtras('mastodon', analysis, opts, bodyText, warnings);
  let tags = extras.optional;
  let line = (): string => extrasLine(extras, tags);
  let withLink = link;
  const tail = (): string => [withLink ?? '', line()].filter((p) => p !== '').join('\n\n');

  const single = [joinUnits(body), tail()].filter((p) => p !== '').join('\n\n');
  if (fits(single)) return { content: { text: single }, warnings };

  // The tail goes into the first part of the thread; drop hashtags from the end until it leaves
  // room for some text there.
  const roomy = (): boolean => mastodonLength(tail() + WIDEST_COUNTER) + MIN_TEXT_ROOM <= maxChars;
  const wanted = tags.length;
  while (tags.length > 0 && !roomy()) tags = tags.slice(0, -1);
  if (tags.length < wanted) warnings.push(makeWarning('HASHTAGS_DROPPED', { channel: 'mastodon', count: wanted - tags.length }));
  // On a tiny instance even the required tag, the signature or the link may not fit beside the
  // counter; the guideline check then reports what is missing, and the link joins the text.
  if (!fits(tail() + WIDEST_COUNTER)) line = (): string => '';
  if (!fits(tail() + WIDEST_COUNTER) && withLink) {
    body = [...body, { text: withLink, sep: '\n\n' }];
    withLink = null;
  }

  const packed = packThread(body, { fits, firstTail: tail() || undefined, counter: threadCounter });
  warnings.push(...packWarnings('mastodon', packed, maxChars, true));
  const parts = packed.parts;
  return { content: parts.length === 1 ? { text: parts[0] ?? '' } : { thread: parts }, warnings };
}
