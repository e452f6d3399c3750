// Block parser: the release body as a list of blocks (paragraph, heading, list …), each with its
// Markdown source and its plain-text lines. Built on marked's lexer so that the social posts and
// the rendered blog agree on what a paragraph is.

import { Lexer, type Token, type Tokens } from 'marked';
import { MARKDOWN_OPTIONS } from './markdown';
import { childTokens, collapseWhitespace, inlinePlainText, tokenText } from './plain-text';

export type BlockKind = 'paragraph' | 'heading' | 'list' | 'quote' | 'code' | 'html' | 'table' | 'def' | 'rule' | 'other';

export interface Block {
  kind: BlockKind;
  /** Markdown source of the block, without trailing newlines. */
  raw: string;
  /** Plain text per line (paragraphs: per source line; lists: per item). */
  lines: string[];
  /** All plain text of the block on one line. */
  text: string;
  /** Lists only: ordered ("1.", "1)") or not. */
  ordered?: boolean;
}

/** `source` is Markdown as prepareSource leaves it (see normalize.ts). */
export function parseBlocks(source: string): Block[] {
  const tokens = Lexer.lex(source, MARKDOWN_OPTIONS);
  const blocks: Block[] = [];
  for (const token of tokens) {
    if (token.type === 'space') continue;
    const lines = plainLines(token).map((l) => l.trim());
    const block: Block = {
      kind: kindOf(token),
      raw: token.raw.replace(/\n+$/, ''),
      lines,
      text: collapseWhitespace(lines.join(' ')),
    };
    if (token.type === 'list') block.ordered = (token as Tokens.List).ordered;
    blocks.push(block);
  }
  return blocks;
}

function kindOf(token: Token): BlockKind {
  switch (token.type) {
    case 'paragraph':
      return 'paragraph';
    case 'heading':
      return 'heading';
    case 'list':
      return 'list';
    case 'blockquote':
      return 'quote';
    case 'code':
      return 'code';
    case 'html':
      return 'html';
    case 'table':
      return 'table';
    case 'def':
      return 'def';
    case 'hr':
      return 'rule';
    default:
      return 'other';
  }
}

function plainLines(token: Token): string[] {
  switch (token.type) {
    case 'paragraph':
    case 'heading':
      return inlinePlainText((token as Tokens.Paragraph | Tokens.Heading).tokens).split('\n');
    case 'list':
      return (token as Tokens.List).items.map((item) => collapseWhitespace(blockTokensText(item.tokens)));
    case 'blockquote':
      return blockTokensText((token as Tokens.Blockquote).tokens).split('\n');
    case 'code':
      return (token as Tokens.Code).text.split('\n');
    case 'html':
      // Only for recognising contact blocks; the blog gets the sanitised original.
      return token.raw.replace(/<[^>]*>/g, ' ').split('\n');
    case 'table': {
      const table = token as Tokens.Table;
      return [table.header, ...table.rows].map((row) => row.map((cell) => inlinePlainText(cell.tokens)).join(' '));
    }
    default: {
      const children = childTokens(token);
      return children ? inlinePlainText(children).split('\n') : [];
    }
  }
}

/** Nested block tokens (list items, quotes) as text, one line per line. */
function blockTokensText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === 'space') return '';
      if (t.type === 'list' || t.type === 'blockquote' || t.type === 'paragraph' || t.type === 'heading' || t.type === 'table') {
        return plainLines(t).join('\n');
      }
      const children = childTokens(t);
      return children ? inlinePlainText(children) : tokenText(t);
    })
    .filter((s) => s !== '')
    .join('\n');
}
