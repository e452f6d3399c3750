// Parses a release once into what every composer needs.

import type { ReleaseText } from '../types';
import { stripContactData } from './contact';
import { parseRelease, type LeadPosition, type ParsedBlock, type ParsedRelease } from './parse';
import { AGENCY_CODE } from './patterns';
import { collapseWhitespace } from './plain-text';

export interface ReleaseAnalysis {
  /** Plain title on one line, as entered: the article's title. */
  readonly title: string;
  /** The title for social posts: without a Presseportal code ("POL-HRO:") and contact data. */
  readonly socialTitle: string;
  readonly blocks: readonly ParsedBlock[];
  readonly lead: LeadPosition | null;
  readonly parsed: ParsedRelease;
  /** Lower-case words of title and message, for choosing the hashtags that fit the release. */
  readonly messageText: string;
}

/**
 * The preview composes one release for every channel in a row; parsing it once instead of five
 * times is most of the cost. The cache holds the last release only and is invisible to callers:
 * the analysis depends on nothing but these four strings and is never mutated.
 */
let last: { key: readonly string[]; analysis: ReleaseAnalysis } | null = null;

export function analyseRelease(release: ReleaseText): ReleaseAnalysis {
  const key = [release.title, release.body, release.dateline ?? '', release.subtitle ?? ''];
  if (last && last.key.every((k, i) => k === key[i])) return last.analysis;
  const title = collapseWhitespace(release.title);
  const parsed = parseRelease(release.body, { title, subtitle: release.subtitle, dateline: release.dateline });
  const socialTitle = stripContactData(title.replace(AGENCY_CODE, ''));
  const message = parsed.blocks
    .slice(0, parsed.messageEnd)
    .filter((b) => b.role === 'lead' || b.role === 'paragraph' || b.role === 'heading' || b.role === 'list' || b.role === 'quote')
    .map((b) => b.text);
  const analysis: ReleaseAnalysis = {
    title,
    socialTitle,
    blocks: parsed.blocks,
    lead: parsed.leadPosition,
    parsed,
    messageText: [socialTitle, ...message].join('\n').toLocaleLowerCase('de'),
  };
  last = { key, analysis };
  return analysis;
}
