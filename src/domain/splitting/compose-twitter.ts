// X: "title + lead + link" when it fits one post; otherwise a numbered thread whose first part
// is "title + link" (the link card shows on the post people see first) followed by the lead.

import type { PostContent, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { TWITTER_MAX, twitterLength } from './lengths';
import { joinUnits, packThread, threadCounter, type Unit } from './pack';
import { packWarnings, sentenceUnits } from './social';
import { makeWarning } from './warnings';

export function composeTwitter(analysis: ReleaseAnalysis, link: string | null): { content: PostContent; warnings: Warning[] } {
  const warnings: Warning[] = [];
  if (!analysis.lead) warnings.push(makeWarning('NO_LEAD', { channel: 'twitter' }));
  const fits = (t: string): boolean => twitterLength(t) <= TWITTER_MAX;
  const title = sentenceUnits(analysis.title, '');
  const linkUnit: Unit[] = link ? [{ text: link, sep: '\n\n' }] : [];

  const single = joinUnits([...title, ...sentenceUnits(analysis.lead?.text ?? '', '\n\n'), ...linkUnit]);
  if (fits(single)) return { content: { thread: [single] }, warnings };

  const units = [...title, ...linkUnit, ...sentenceUnits(analysis.lead?.text ?? '', '\n\n', true)];
  const packed = packThread(units, { fits, counter: threadCounter });
  warnings.push(...packWarnings('twitter', packed, TWITTER_MAX, true));
  return { content: { thread: packed.parts }, warnings };
}
