// The parser: a press release as it arrives (Markdown, a Word or web-page paste, one run-together
// line) → its parts, each block and line with the role a press officer would give it.
//
//   text ─ prepareSource ─▶ Markdown ─ marked lexer ─▶ blocks ─ roles ─▶ ParsedRelease
//
// Pure: no I/O, no clock. The blog renders the same blocks, so article and posts agree on what
// a paragraph is.

import { parseBlocks, type Block, type BlockKind } from './blocks';
import { closingStart, findEmails, findIbans, findPhoneNumbers, type PhoneNumber } from './contact';
import { leadText } from './lead';
import { prepareSource } from './normalize';
import { isAdMarker, isDatelineOnly, isHeadingLike, isNavigationLine, sameText } from './noise';
import {
  AGENCY_CODE,
  AGENCY_FOOTER_LINE,
  BOILERPLATE_HEADING,
  DATELINE_AT_START,
  EMBARGO_LINE,
  execAll,
  LABEL_LINE,
  trimTrailingPunctuation,
  URL_GLOBAL,
} from './patterns';
import { collapseWhitespace } from './plain-text';
import { findQuotes, type Quote } from './quotes';

export type { Quote } from './quotes';
export type { PhoneNumber, PhoneKind } from './contact';

export type BlockRole =
  /** Navigation, "ANZEIGE", "Pressemitteilung Nr. 12": part of the source, not of the message. */
  | 'noise'
  | 'title'
  | 'subtitle'
  | 'embargo'
  | 'dateline'
  | 'lead'
  | 'paragraph'
  | 'heading'
  | 'list'
  | 'quote'
  | 'other'
  /** "Über die Stadtwerke …": the organisation's standing description. */
  | 'boilerplate'
  | 'contact'
  | 'imprint'
  /** "Original-Content von: … übermittelt durch news aktuell", OTS and newsroom lines. */
  | 'agency';

export type ClosingKind = 'contact' | 'imprint' | 'agency';

export interface ParsedBlock extends Block {
  /** The role of the block as a whole: that of its first line that is not noise. */
  role: BlockRole;
  /** One role per entry of `lines`. */
  lineRoles: BlockRole[];
}

export interface Dateline {
  /** As written, without the dash after it: "Rostock (ots)", "Magdeburg, den 8. November 2004". */
  text: string;
  place: string | null;
  /** As written: "12.03.2024", "8. November 2004". */
  date: string | null;
  /** News agency in brackets: "ots", "dpa". */
  agency: string | null;
  /** Presseportal code before the title: "POL-HRO". */
  code: string | null;
}

export interface ListBlock {
  ordered: boolean;
  items: string[];
}

export interface ClosingBlock {
  kind: ClosingKind;
  /** Plain text, one line per line of the source. */
  text: string;
}

export interface BodyImage {
  url: string;
  alt: string;
}

export interface LeadPosition {
  blockIndex: number;
  /** The first line of the block that belongs to the lead (earlier lines are title, dateline …). */
  lineIndex: number;
  /** Plain text, one line, without dateline; at most a few sentences. */
  text: string;
  /** The first paragraph ran on (a single-line paste) and was cut after a whole sentence. */
  shortened: boolean;
}

export interface ParsedRelease {
  title: string | null;
  subtitle: string | null;
  dateline: Dateline | null;
  /** The embargo line as written: "Sperrfrist: 12.03.2024, 10:00 Uhr". */
  embargo: string | null;
  lead: string | null;
  /** Body paragraphs other than the lead, before boilerplate and end matter. */
  paragraphs: string[];
  headings: string[];
  quotes: Quote[];
  lists: ListBlock[];
  /** Every link, with or without scheme, as written. */
  links: string[];
  emails: string[];
  phones: PhoneNumber[];
  ibans: string[];
  images: BodyImage[];
  /** "Über …" paragraphs. */
  boilerplate: string[];
  /** Contact, imprint and agency blocks at the end, in order. */
  closing: ClosingBlock[];
  blocks: ParsedBlock[];
  leadPosition: LeadPosition | null;
  /** Index of the first block of boilerplate or end matter (blocks.length if there is none). */
  messageEnd: number;
  /** Index of the first contact, imprint or agency block (blocks.length if there is none). */
  closingStart: number;
  /** The Markdown the blocks were read from. */
  source: string;
}

export interface ParseHints {
  /** The title as entered; a body that repeats it is recognised. */
  title?: string | null;
  subtitle?: string | null;
  dateline?: string | null;
}

const MESSAGE_KINDS: ReadonlySet<BlockKind> = new Set(['paragraph', 'heading']);

export function parseRelease(text: string, hints: ParseHints = {}): ParsedRelease {
  const source = prepareSource(text, hints);
  const blocks: ParsedBlock[] = parseBlocks(source).map((b) => ({ ...b, role: 'other', lineRoles: b.lines.map(() => 'other') }));
  const closingAt = findClosingStart(blocks);
  const head = new HeadReader(hints);
  let lead: LeadPosition | null = null;
  let boilerplateAt = closingAt;

  for (let i = 0; i < closingAt; i++) {
    const block = blocks[i] as ParsedBlock;
    if (lead && BOILERPLATE_HEADING.test(firstText(block))) {
      boilerplateAt = i;
      break;
    }
    if (block.kind === 'list') setRole(block, 'list');
    else if (block.kind === 'quote') setRole(block, 'quote');
    else if (!MESSAGE_KINDS.has(block.kind)) setRole(block, 'other');
    else if (block.text === '') setRole(block, 'other');
    else if (lead) readBodyBlock(block);
    else lead = head.read(block, i);
  }
  for (let i = boilerplateAt; i < closingAt; i++) setRole(blocks[i] as ParsedBlock, 'boilerplate');
  readClosing(blocks, closingAt);

  return {
    title: head.title,
    subtitle: head.subtitle,
    dateline: head.datelineInfo(),
    embargo: head.embargo,
    lead: lead?.text ?? null,
    paragraphs: blocks.slice(0, boilerplateAt).filter((b) => b.role === 'paragraph').map((b) => roleText(b, 'paragraph')),
    headings: blocks.slice(0, boilerplateAt).flatMap((b) => (b.role === 'heading' ? [b.text] : b.lines.filter((_l, i) => b.lineRoles[i] === 'heading'))),
    quotes: blocks.slice(0, boilerplateAt).flatMap((b) => (['lead', 'paragraph', 'quote'].includes(b.role) ? findQuotes(b.text) : [])),
    lists: blocks.slice(0, boilerplateAt).filter((b) => b.kind === 'list').map((b) => ({ ordered: b.ordered ?? false, items: b.lines })),
    links: findLinks(source),
    emails: unique(blocks.flatMap((b) => findEmails(b.lines.join('\n')))),
    phones: blocks.flatMap((b) => findPhoneNumbers(b.lines.join('\n'))),
    ibans: unique(blocks.flatMap((b) => findIbans(b.text))),
    images: findImages(source),
    boilerplate: blocks.filter((b) => b.role === 'boilerplate').map((b) => b.text),
    closing: closingBlocks(blocks, closingAt),
    blocks,
    leadPosition: lead,
    messageEnd: boilerplateAt,
    closingStart: closingAt,
    source,
  };
}

/** After the lead: headings, and paragraphs (whose first line may be a heading of its own). */
function readBodyBlock(block: ParsedBlock): void {
  if (block.kind === 'heading' || (block.lines.length === 1 && isHeadingLike(block.text))) {
    setRole(block, 'heading');
    return;
  }
  block.role = 'paragraph';
  block.lineRoles = block.lines.map((line, i) => (i === 0 && block.lines.length > 1 && isHeadingLike(line) ? 'heading' : 'paragraph'));
}

function setRole(block: ParsedBlock, role: BlockRole): void {
  block.role = role;
  block.lineRoles = block.lines.map(() => role);
}

function firstText(block: Block): string {
  return (block.lines.find((l) => l.trim() !== '') ?? '').trim().replace(/^[*_]+|[*_]+$/g, '');
}

function roleText(block: ParsedBlock, role: BlockRole): string {
  return collapseWhitespace(block.lines.filter((_l, i) => block.lineRoles[i] === role).join(' '));
}

/** The first block that opens the end matter: a contact, imprint or agency block. */
function findClosingStart(blocks: readonly Block[]): number {
  const index = blocks.findIndex((b) => b.kind !== 'code' && closingStart(firstText(b), b.text) !== null);
  return index === -1 ? blocks.length : index;
}

/** Roles in the end matter: each opener starts its kind; agency lines are agency wherever they are. */
function readClosing(blocks: ParsedBlock[], from: number): void {
  let kind: BlockRole = 'contact';
  for (let i = from; i < blocks.length; i++) {
    const block = blocks[i] as ParsedBlock;
    const opener = closingStart(firstText(block), block.text);
    if (opener) kind = opener;
    else if (BOILERPLATE_HEADING.test(firstText(block))) kind = 'boilerplate';
    const lineRoles = block.lines.map((line): BlockRole => {
      const t = line.trim();
      const lineOpener = closingStart(t, t);
      if (AGENCY_FOOTER_LINE.test(t) || lineOpener === 'agency') return 'agency';
      return kind;
    });
    block.lineRoles = lineRoles;
    block.role = lineRoles.every((r) => r === 'agency') ? 'agency' : kind;
  }
}

function closingBlocks(blocks: readonly ParsedBlock[], from: number): ClosingBlock[] {
  const out: ClosingBlock[] = [];
  let current: ClosingBlock | null = null;
  for (let i = from; i < blocks.length; i++) {
    const block = blocks[i] as ParsedBlock;
    // A block that opens with a label starts a new closing block; one without goes on.
    if (closingStart(firstText(block), block.text)) current = null;
    block.lines.forEach((line, n) => {
      const role = block.lineRoles[n];
      if (role !== 'contact' && role !== 'imprint' && role !== 'agency') return;
      if (line.trim() === '') return;
      if (current && current.kind === role) current.text += `\n${line.trim()}`;
      else {
        current = { kind: role, text: line.trim() };
        out.push(current);
      }
    });
  }
  return out;
}

/**
 * Reads the head of a release, block by block, until the lead: noise, embargo, title, subtitle
 * and dateline lines, then the first paragraph that carries the message.
 */
class HeadReader {
  title: string | null = null;
  subtitle: string | null = null;
  embargo: string | null = null;
  private dateline: Dateline | null = null;
  private code: string | null = null;
  private previous: BlockRole | null = null;
  /** The last line given a role other than noise, so a label after it can demote it. */
  private last: { block: ParsedBlock; line: number } | null = null;
  private readonly titleHint: string | null;
  private readonly subtitleHint: string | null;
  private readonly datelineHint: string | null;

  constructor(hints: ParseHints) {
    const title = hints.title ? collapseWhitespace(hints.title) : '';
    const code = AGENCY_CODE.exec(title);
    if (code) this.code = code[0].replace(/:\s*$/, '');
    this.titleHint = title === '' ? null : title.slice(code?.[0].length ?? 0);
    if (this.titleHint) this.title = this.titleHint;
    this.subtitleHint = hints.subtitle ? collapseWhitespace(hints.subtitle) : null;
    if (this.subtitleHint) this.subtitle = this.subtitleHint;
    this.datelineHint = hints.dateline?.trim() || null;
  }

  datelineInfo(): Dateline | null {
    if (this.dateline) return { ...this.dateline, code: this.dateline.code ?? this.code };
    if (this.datelineHint) return { ...parseDateline(this.datelineHint), code: this.code };
    return this.code ? { text: this.code, place: null, date: null, agency: null, code: this.code } : null;
  }

  /** Gives the block's lines their roles; returns the lead if this block holds it. */
  read(block: ParsedBlock, blockIndex: number): LeadPosition | null {
    const lines = block.lines;
    for (let j = 0; j < lines.length; j++) {
      const line = collapseWhitespace(lines[j] ?? '');
      const hasMore = lines.slice(j + 1).some((l) => l.trim() !== '');
      const role = this.headRole(line, block.kind === 'heading', hasMore);
      if (role) {
        block.lineRoles[j] = role;
        if (role !== 'noise') {
          this.previous = role;
          this.last = { block, line: j };
        }
        continue;
      }
      const rest = lines.slice(j);
      const candidate = this.withoutDateline(collapseWhitespace(rest.join(' ')));
      const lead = leadText(candidate, this.titleHint);
      // A line without a full stop is a heading, unless it is long enough to be a careless lead.
      const headingOnly = block.kind === 'heading' || (rest.length === 1 && isHeadingLike(candidate, 200));
      const fits = lead !== null && !headingOnly;
      for (let n = j; n < lines.length; n++) block.lineRoles[n] = fits ? 'lead' : headingOnly ? 'heading' : 'paragraph';
      block.role = block.lineRoles.find((r) => r !== 'noise') ?? 'noise';
      this.previous = block.lineRoles[j] ?? null;
      if (fits && lead !== null) return { blockIndex, lineIndex: j, text: lead.text, shortened: lead.shortened };
      return null;
    }
    block.role = block.lineRoles.find((r) => r !== 'noise') ?? 'noise';
    return null;
  }

  private headRole(line: string, isHeading: boolean, hasMore: boolean): BlockRole | null {
    if (line === '') return 'noise';
    if (LABEL_LINE.test(line)) {
      this.demoteLetterhead();
      return 'noise';
    }
    if (isAdMarker(line) || isNavigationLine(line)) return 'noise';
    if (line.length <= 200 && EMBARGO_LINE.test(line)) {
      this.embargo ??= line.replace(/^[*_]+|[*_]+$/g, '');
      return 'embargo';
    }
    const code = AGENCY_CODE.exec(line);
    const bare = code ? line.slice(code[0].length) : line;
    if (code && !this.code) this.code = code[0].replace(/:\s*$/, '');
    if (this.titleHint ? sameText(bare, this.titleHint) : this.title === null && (isHeading || (isHeadingLike(bare) && !this.isDateline(bare)))) {
      this.title ??= bare;
      return 'title';
    }
    if (this.subtitleHint && sameText(line, this.subtitleHint)) return 'subtitle';
    if (this.isDateline(line)) {
      this.dateline ??= parseDateline(line);
      return 'dateline';
    }
    if (!this.subtitleHint && this.subtitle === null && this.previous === 'title' && (isHeading || isHeadingLike(line, 200))) {
      this.subtitle = line;
      return 'subtitle';
    }
    if (isHeading || (hasMore && isHeadingLike(line))) return 'heading';
    return null;
  }

  /**
   * "Landkreis Musterkreis – Der Landrat" above "Pressemitteilung" is the letterhead, not the
   * title: a heading-like line right before a label is noise, and the title comes after.
   */
  private demoteLetterhead(): void {
    const last = this.last;
    if (!last || (this.previous !== 'title' && this.previous !== 'heading')) return;
    if (this.previous === 'title' && this.titleHint) return;
    last.block.lineRoles[last.line] = 'noise';
    if (this.previous === 'title') this.title = null;
    this.previous = null;
    this.last = null;
  }

  private isDateline(line: string): boolean {
    if (isDatelineOnly(line, this.datelineHint)) return true;
    const m = DATELINE_AT_START.exec(line);
    return m !== null && m[0].trim().length === line.length;
  }

  /** "Rostock (ots) - Am Dienstag …" → "Am Dienstag …", remembering the dateline. */
  private withoutDateline(text: string): string {
    let rest = text.replace(AGENCY_CODE, '');
    const hint = this.datelineHint;
    if (hint && rest.startsWith(hint)) {
      const after = rest.slice(hint.length).replace(/^\s*[–—-]\s*/u, '').replace(/^[,:.]\s*/, '');
      if (after !== rest.slice(hint.length)) {
        this.dateline ??= parseDateline(hint);
        return after;
      }
    }
    const m = DATELINE_AT_START.exec(rest);
    if (m && m[0].length < rest.length) {
      this.dateline ??= parseDateline(m[0]);
      rest = rest.slice(m[0].length);
    }
    return rest;
  }
}

/** "Magdeburg, den 8. November 2004." → place, date; "Rostock (ots) -" → place, agency. */
export function parseDateline(written: string): Dateline {
  const text = written
    .trim()
    .replace(/\s*[–—:-]+\s*$/u, '')
    .replace(/(\d{4}|\d{2}\.\d{2}\.\d{2})\.$/u, '$1');
  const m = DATELINE_AT_START.exec(text);
  if (!m) return { text, place: null, date: null, agency: null, code: null };
  return {
    text,
    place: m[1]?.trim() ?? null,
    date: (m[3] ?? m[4])?.trim() ?? null,
    agency: (m[2] ?? m[5])?.toLowerCase() ?? null,
    code: null,
  };
}

function findLinks(source: string): string[] {
  const images = new Set(findImages(source).map((i) => i.url));
  const links: string[] = [];
  for (const [found] of execAll(URL_GLOBAL, source)) {
    const link = trimTrailingPunctuation(found);
    if (link !== '' && !images.has(link)) links.push(link);
  }
  return unique(links);
}

const MARKDOWN_IMAGE = /!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const HTML_IMAGE = /<img\b[^>]*>/gi;

function findImages(source: string): BodyImage[] {
  if (!/!\[|<img/i.test(source)) return [];
  const images: BodyImage[] = [];
  for (const m of execAll(MARKDOWN_IMAGE, source)) images.push({ url: m[2] ?? '', alt: (m[1] ?? '').trim() });
  for (const [tag] of execAll(HTML_IMAGE, source)) {
    const src = /\ssrc\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1] ?? '';
    const alt = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    images.push({ url: src, alt: (alt?.[1] ?? alt?.[2] ?? alt?.[3] ?? '').trim() });
  }
  return images;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
