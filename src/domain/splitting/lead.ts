// Finds what the social posts are made from: the lead paragraph (the first real paragraph of
// the message) and the part of the body that is safe to quote (everything before the contact
// and imprint blocks).

import type { Block } from './blocks';
import { containsContactData, contactStartIndex } from './contact';
import { isAdMarker, isBoilerplateLine, isDatelineOnly, isHeadingLike, isNavigationLine, sameText } from './noise';
import { collapseWhitespace } from './plain-text';

/** Shorter text is an organisation name, a label or a caption, not a lead. */
export const MIN_LEAD_LENGTH = 60;

export interface Lead {
  blockIndex: number;
  /** The first line of the block that belongs to the lead (earlier lines were noise or a heading). */
  lineIndex: number;
  /** Plain text, one line, with a leading dateline removed. */
  text: string;
}

export interface LeadContext {
  title: string;
  dateline?: string | null;
}

export function findLead(blocks: readonly Block[], ctx: LeadContext): Lead | null {
  const end = contactStartIndex(blocks);
  for (let blockIndex = 0; blockIndex < end; blockIndex++) {
    const block = blocks[blockIndex];
    if (!block || block.kind !== 'paragraph') continue;
    const lineIndex = firstMessageLine(block.lines, ctx);
    if (lineIndex === -1) continue;
    const lines = block.lines.slice(lineIndex);
    const text = stripDateline(collapseWhitespace(lines.join(' ')), ctx.dateline);
    if (text.length < MIN_LEAD_LENGTH) continue;
    if (lines.length === 1 && isHeadingLike(text)) continue;
    if (isBoilerplateLine(text) || containsContactData(text)) continue;
    return { blockIndex, lineIndex, text };
  }
  return null;
}

/** Skips leading noise lines, and a heading-like first line that has text below it. */
function firstMessageLine(lines: readonly string[], ctx: LeadContext): number {
  let i = 0;
  while (i < lines.length) {
    const line = (lines[i] ?? '').trim();
    const hasMore = lines.slice(i + 1).some((l) => l.trim() !== '');
    const noise =
      line === '' ||
      isAdMarker(line) ||
      isNavigationLine(line) ||
      isBoilerplateLine(line) ||
      isDatelineOnly(line, ctx.dateline) ||
      sameText(line, ctx.title) ||
      (hasMore && isHeadingLike(line));
    if (!noise) return i;
    i++;
  }
  return -1;
}

/** "Berlin (ots) – Die Stadt …" → "Die Stadt …": social posts carry no dateline. */
function stripDateline(text: string, dateline?: string | null): string {
  if (dateline) {
    const d = dateline.trim();
    if (d !== '' && text.startsWith(d)) {
      const rest = text.slice(d.length).replace(/^\s*[–—-]\s*/u, '').replace(/^[,:]\s*/, '');
      if (rest !== text.slice(d.length)) return rest;
    }
  }
  return text.replace(/^\p{Lu}[\p{L}\p{M} .\-/]{0,40}?\s?\(ots\)\s?[–—-]\s*/u, '');
}
