// Blog and WordPress: the whole release as an article page. Only what means nothing to a reader
// of the organisation's own site is removed: scraped navigation, an "ANZEIGE" marker, labels,
// the title repeated, the embargo line (an instruction to journalists) and news-agency footers.
// The press contact stays, at the end where the release has it.

import type { PostContent, ReleaseText, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import type { ParsedBlock, BlockRole } from './parse';
import { escapeHtml, escapeMarkdown, renderMarkdown } from './markdown';
import { comparable } from './noise';

/** Line roles the article leaves out wherever they are. */
const ALWAYS_DROPPED: ReadonlySet<BlockRole> = new Set(['agency']);
/**
 * Line roles the article leaves out in the head of the release (before the lead). The subtitle
 * is shown as the article's subtitle instead.
 */
const HEAD_DROPPED: ReadonlySet<BlockRole> = new Set(['noise', 'title', 'embargo', 'subtitle']);

export function composeBlog(
  release: ReleaseText,
  analysis: ReleaseAnalysis,
  articleUrl: string | null,
): { content: PostContent; warnings: Warning[] } {
  // A subtitle written into the body ("## …" or the line under the title) is shown as one.
  const subtitle = release.subtitle?.trim() || analysis.parsed.subtitle;
  const html = [
    subtitle ? `<p class="subtitle">${escapeHtml(subtitle)}</p>` : '',
    renderMarkdown(blogMarkdown(release, analysis)),
  ]
    .filter((part) => part !== '')
    .join('\n');
  const content: PostContent = { title: analysis.title, html };
  if (articleUrl) content.link = articleUrl;
  return { content, warnings: [] };
}

function blogMarkdown(release: ReleaseText, analysis: ReleaseAnalysis): string {
  const { blocks, lead } = analysis;
  // The head runs up to the lead (or, without one, up to the end matter).
  const headEnd = lead ? lead.blockIndex : analysis.parsed.closingStart - 1;
  const dateline = datelineToAdd(release.dateline, analysis, headEnd);
  const out: string[] = [];
  if (dateline && !lead) out.push(escapeMarkdown(dateline));
  blocks.forEach((block, i) => {
    let lines = block.raw.split('\n');
    const aligned = lines.length === block.lines.length;
    if (dateline && lead && i === lead.blockIndex) {
      const at = aligned ? lead.lineIndex : 0;
      lines = lines.map((line, n) => (n === at ? prefixLine(line, `${escapeMarkdown(dateline)} – `) : line));
    }
    if (aligned) lines = lines.filter((_line, n) => !dropped(block, n, i <= headEnd && (!lead || i < lead.blockIndex || n < lead.lineIndex)));
    else if (ALWAYS_DROPPED.has(block.role)) lines = [];
    if (lines.length > 0) out.push(lines.join('\n'));
  });
  // A body of nothing but what the article leaves out (a scraped navigation line) is shown as
  // it is rather than not at all.
  if (out.length === 0) return blocks.map((b) => b.raw).join('\n\n');
  return out.join('\n\n');
}

function dropped(block: ParsedBlock, line: number, inHead: boolean): boolean {
  const role = block.lineRoles[line] ?? block.role;
  if (ALWAYS_DROPPED.has(role)) return true;
  return inHead && (block.kind === 'paragraph' || block.kind === 'heading') && HEAD_DROPPED.has(role);
}

/** The dateline, unless the release already has one in its head. */
function datelineToAdd(dateline: string | null | undefined, analysis: ReleaseAnalysis, headEnd: number): string | null {
  const d = dateline?.trim();
  if (!d) return null;
  const wanted = comparable(d);
  const head = analysis.blocks.slice(0, Math.max(headEnd + 1, 1));
  const written = head.some((b) => b.lineRoles.includes('dateline') || comparable(b.text.slice(0, d.length + 20)).startsWith(wanted));
  return written || leadLineHasDateline(analysis) ? null : d;
}

/** "Rostock (ots) - Am Dienstag …": the lead line itself opens with a dateline. */
function leadLineHasDateline(analysis: ReleaseAnalysis): boolean {
  const lead = analysis.lead;
  if (!lead) return false;
  const line = analysis.blocks[lead.blockIndex]?.lines[lead.lineIndex] ?? '';
  return analysis.parsed.dateline !== null && analysis.parsed.dateline.place !== null && line.trim().startsWith(analysis.parsed.dateline.place);
}

function prefixLine(line: string, prefix: string): string {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  return indent + prefix + line.slice(indent.length);
}
