// X: "title + lead + link" when it fits one post; otherwise a numbered thread whose first part
// is "title + link" (the link card shows on the post people see first) followed by the lead.
// The required hashtag and the signature go with the link.

import type { PostContent, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { TWITTER_MAX, twitterLength } from './lengths';
import type { ComposeOptions } from './options';
import { joinUnits, packThread, threadCounter, type Unit } from './pack';
import { extrasLine, leadWarnings, packWarnings, sentenceUnits, socialExtras } from './social';

export function composeTwitter(
  analysis: ReleaseAnalysis,
  link: string | null,
  opts: ComposeOptions,
): { content: PostContent; warnings: Warning[] } {
  const warnings: Warning[] = leadWarnings('twitter', analysis);
  const fits = (t: string): boolean => twitterLength(t) <= TWITTER_MAX;
  const title = sentenceUnits(analysis.socialTitle, '');
  const lead = analysis.lead?.text ?? '';
  const extras = extrasLine(socialExtras('twitter', analysis, opts, `${analysis.socialTitle}\n${lead}`, warnings));
  const tail: Unit[] = [...(link ? [{ text: link, sep: '\n\n' }] : []), ...(extras ? [{ text: extras, sep: '\n\n' }] : [])];

  const single = joinUnits([...title, ...sentenceUnits(lead, '\n\n'), ...tail]);
  if (fits(single)) return { content: { thread: [single] }, warnings };

  const units = [...title, ...tail, ...sentenceUnits(lead, '\n\n', true)];
  const packed = packThread(units, { fits, counter: threadCounter });
  warnings.push(...packWarnings('twitter', packed, TWITTER_MAX, true));
  return { content: { thread: packed.parts }, warnings };
}
