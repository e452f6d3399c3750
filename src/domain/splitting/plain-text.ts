// Markdown inline tokens → the plain text a reader sees, for social posts. Link targets,
// images and raw HTML are dropped: a social post carries only the text and our own link.

import type { Token } from 'marked';

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Children of a token, whatever its type (the Token union does not expose them uniformly). */
export function childTokens(token: Token): Token[] | undefined {
  return 'tokens' in token && Array.isArray(token.tokens) ? token.tokens : undefined;
}

export function tokenText(token: Token): string {
  return 'text' in token && typeof token.text === 'string' ? token.text : '';
}

/** Plain text with line breaks kept as "\n", so callers can look at lines. */
export function inlinePlainText(tokens: readonly Token[]): string {
  let out = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'text': {
        const children = childTokens(token);
        out += children ? inlinePlainText(children) : decodeEntities(tokenText(token));
        break;
      }
      case 'escape':
      case 'codespan':
        out += tokenText(token);
        break;
      case 'br':
        out += '\n';
        break;
      case 'image':
      case 'html':
      case 'checkbox':
        break;
      default:
        // strong, em, del, link and unknown extensions: their visible text.
        out += inlinePlainText(childTokens(token) ?? []);
    }
  }
  return out;
}

/** Most text has single spaces only; testing first is three times cheaper than replacing. */
const NEEDS_COLLAPSE = /\s\s|[^\S ]/;

export function collapseWhitespace(text: string): string {
  return (NEEDS_COLLAPSE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}
