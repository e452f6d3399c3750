// Facebook: title, lead paragraph and the article link in one post. The limit (63,206) is only
// reached by an absurd lead, which is then cut after its last complete sentence.

import type { PostContent, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { FACEBOOK_MAX, facebookLength } from './lengths';
import type { ComposeOptions } from './options';
import { joinUnits, packThread, type Unit } from './pack';
import { extrasLine, leadWarnings, sentenceUnits, socialExtras } from './social';
import { makeWarning } from './warnings';

export function composeFacebook(
  analysis: ReleaseAnalysis,
  link: string | null,
  opts: ComposeOptions,
): { content: PostContent; warnings: Warning[] } {
  const warnings: Warning[] = leadWarnings('facebook', analysis);
  const units: Unit[] = [
    ...sentenceUnits(analysis.socialTitle, ''),
    ...sentenceUnits(analysis.lead?.text ?? '', '\n\n'),
  ];
  const extras = extrasLine(socialExtras('facebook', analysis, opts, joinUnits(units), warnings));
  const tail = [link ?? '', extras].filter((p) => p !== '').join('\n\n');
  const fits = (t: string): boolean => facebookLength(t) <= FACEBOOK_MAX;
  const whole = [joinUnits(units), tail].filter((p) => p !== '').join('\n\n');
  let text = whole;
  if (!fits(whole)) {
    // The first part of a packing without counters is the longest prefix that fits.
    const packed = packThread(units, { fits, firstTail: tail || undefined });
    text = packed.parts[0] ?? '';
    if (!warnings.some((w) => w.code === 'LEAD_SHORTENED')) warnings.push(makeWarning('LEAD_SHORTENED', { channel: 'facebook' }));
    if (packed.splitWord) warnings.push(makeWarning('WORD_SPLIT', { channel: 'facebook', limit: FACEBOOK_MAX }));
  }
  const content: PostContent = { text };
  if (link) content.link = link;
  return { content, warnings };
}
