// Blog and WordPress: the whole release as an article page. Only noise that means nothing to a
// reader (scraped navigation, an "ANZEIGE" marker, the title repeated) is removed; the press
// contact stays, at the end where the release has it.

import type { PostContent, ReleaseText, Warning } from '../types';
import type { ReleaseAnalysis } from './analysis';
import type { Block } from './blocks';
import { contactStartIndex } from './contact';
import { escapeHtml, escapeMarkdown, renderMarkdown } from './markdown';
import { comparable, isSourceNoise } from './noise';

export function composeBlog(
  release: ReleaseText,
  analysis: ReleaseAnalysis,
  articleUrl: string | null,
): { content: PostContent; warnings: Warning[] } {
  const subtitle = release.subtitle?.trim();
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
  const { blocks, lead, title } = analysis;
  // Noise is only looked for in the head of the release, before the lead (or the contact part).
  const headEnd = lead ? lead.blockIndex : contactStartIndex(blocks) - 1;
  const dateline = datelineToAdd(release.dateline, blocks, headEnd);
  const out: string[] = [];
  if (dateline && !lead) out.push(escapeMarkdown(dateline));
  blocks.forEach((block, i) => {
    let lines = block.raw.split('\n');
    const aligned = lines.length === block.lines.length;
    if (dateline && lead && i === lead.blockIndex) {
      const at = aligned ? lead.lineIndex : 0;
      lines = lines.map((line, n) => (n === at ? prefixLine(line, `${escapeMarkdown(dateline)} – `) : line));
    }
    if (i <= headEnd && aligned && (block.kind === 'paragraph' || block.kind === 'heading')) {
      lines = lines.filter((_line, n) => !isSourceNoise(block.lines[n] ?? '', title));
    }
    if (lines.length > 0) out.push(lines.join('\n'));
  });
  return out.join('\n\n');
}

/** The dateline, unless a block of the head already starts with it. */
function datelineToAdd(dateline: string | null | undefined, blocks: readonly Block[], headEnd: number): string | null {
  const d = dateline?.trim();
  if (!d) return null;
  const wanted = comparable(d);
  const head = blocks.slice(0, Math.max(headEnd + 1, 1));
  return head.some((b) => comparable(b.text.slice(0, d.length + 20)).startsWith(wanted)) ? null : d;
}

function prefixLine(line: string, prefix: string): string {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  return indent + prefix + line.slice(indent.length);
}
