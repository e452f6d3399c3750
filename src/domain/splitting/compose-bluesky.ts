// Bluesky: title + link, 300 graphemes with the URL counted in full (the adapter turns it into
// a link facet). Only an unusually long title or URL makes a thread. A link that is only planned
// (WordPress) is measured as if it were `articleUrlReserve` longer, so that the final URL the
// worker swaps in cannot push the part over the limit.

import type { PostContent, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import { BLUESKY_MAX_GRAPHEMES, blueskyFits } from './lengths';
import type { ComposeOptions } from './options';
import { joinUnits, packThread, threadCounter, type Unit } from './pack';
import { extrasLine, packWarnings, sentenceUnits, socialExtras } from './social';

export function composeBluesky(
  analysis: ReleaseAnalysis,
  link: string | null,
  opts: ComposeOptions,
): { content: PostContent; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const fits = withReserve(link, opts.articleUrlReserve ?? 0);
  const extras = extrasLine(socialExtras('bluesky', analysis, opts, analysis.socialTitle, warnings));
  const units: Unit[] = [
    ...sentenceUnits(analysis.socialTitle, ''),
    ...(link ? [{ text: link, sep: '\n\n' }] : []),
    ...(extras ? [{ text: extras, sep: '\n\n' }] : []),
  ];
  const single = joinUnits(units);
  if (fits(single)) return { content: { text: single }, warnings };
  const packed = packThread(units, { fits, counter: threadCounter });
  warnings.push(...packWarnings('bluesky', packed, BLUESKY_MAX_GRAPHEMES, true));
  const parts = packed.parts;
  return { content: parts.length === 1 ? { text: parts[0] ?? '' } : { thread: parts }, warnings };
}

/** blueskyFits with the link counted `reserve` longer (URLs are ASCII: graphemes and bytes alike). */
function withReserve(link: string | null, reserve: number): (text: string) => boolean {
  if (!link || reserve <= 0) return blueskyFits;
  const longer = link + 'W'.repeat(reserve);
  return (text) => blueskyFits(text.split(link).join(longer));
}
