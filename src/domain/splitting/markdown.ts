// Markdown → safe HTML for the blog and WordPress. The release body is author input, so the
// HTML is always passed through a strict allowlist: whatever marked lets through (raw HTML,
// javascript: links) is removed here, not trusted.

import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** One set of options for lexing (splitting) and rendering (blog), so both see the same blocks. */
export const MARKDOWN_OPTIONS = {
  gfm: true,
  // Press releases come from text fields and mail, where a single newline is meant as one.
  breaks: true,
} as const;

const markdown = new Marked({
  ...MARKDOWN_OPTIONS,
  async: false,
  // "www.kbw.de" written without a scheme becomes an https link: every public body's site
  // answers on https, and a reader should never be sent over plain http by our own default.
  walkTokens(token) {
    if (token.type === 'link' && /^www\./i.test(token.raw) && /^http:\/\//i.test(token.href)) {
      token.href = `https://${token.href.slice('http://'.length)}`;
    }
  },
});

const ABSOLUTE_LINK = /^\s*(?:https?:\/\/|mailto:)/i;
const ABSOLUTE_IMAGE = /^\s*https?:\/\//i;

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h2', 'h3', 'h4', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'br', 'img'],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // The article title is the page's h1; body headings start one level below.
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    b: 'strong',
    i: 'em',
    // Whatever rel the author wrote, links never get a handle on the opening page. Relative
    // targets are dropped as well: the article is shown on other sites (WordPress, feeds).
    a: (_tagName, attribs) => {
      const kept: sanitizeHtml.Attributes = {};
      if (ABSOLUTE_LINK.test(attribs.href ?? '')) Object.assign(kept, { href: attribs.href, rel: 'noopener' });
      return { tagName: 'a', attribs: kept };
    },
    img: (_tagName, attribs) => {
      const kept: sanitizeHtml.Attributes = {};
      if (ABSOLUTE_IMAGE.test(attribs.src ?? '')) kept.src = attribs.src ?? '';
      if (attribs.alt !== undefined) kept.alt = attribs.alt;
      return { tagName: 'img', attribs: kept };
    },
  },
  // An image whose src was refused is an empty box.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

export function renderMarkdown(source: string): string {
  const html = markdown.parse(source, { async: false });
  // Paragraphs emptied by the sanitiser (a removed script or image) would leave gaps.
  return sanitizeHtml(html, SANITIZE_OPTIONS)
    .replace(/<p>(?:\s|<br \/>)*<\/p>\n?/g, '')
    .trim();
}

/** Backslash-escapes ASCII punctuation so text is read literally (CommonMark allows all of it). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~"'&:]/g, '\\$&');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
