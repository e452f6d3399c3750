// Parses a release once into what every composer needs.

import type { ReleaseText } from '../types';
import { parseBlocks, type Block } from './blocks';
import { findLead, type Lead } from './lead';
import { collapseWhitespace } from './plain-text';

export interface ReleaseAnalysis {
  /** Plain title on one line. */
  readonly title: string;
  readonly blocks: readonly Block[];
  readonly lead: Lead | null;
}

/**
 * The preview composes one release for every channel in a row; parsing it once instead of five
 * times is most of the cost. The cache holds the last release only and is invisible to callers:
 * the analysis depends on nothing but these three strings and is never mutated.
 */
let last: { key: readonly [string, string, string]; analysis: ReleaseAnalysis } | null = null;

export function analyseRelease(release: ReleaseText): ReleaseAnalysis {
  const key = [release.title, release.body, release.dateline ?? ''] as const;
  if (last && last.key[0] === key[0] && last.key[1] === key[1] && last.key[2] === key[2]) return last.analysis;
  const title = collapseWhitespace(release.title);
  const blocks = parseBlocks(release.body);
  const analysis: ReleaseAnalysis = { title, blocks, lead: findLead(blocks, { title, dateline: release.dateline }) };
  last = { key, analysis };
  return analysis;
}
