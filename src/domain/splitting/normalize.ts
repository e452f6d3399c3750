// Makes a release as it really arrives (pasted from Word, a web page, a PDF or a mail) into
// Markdown that means what its author meant. Only whitespace, line breaks, bullet characters and
// page furniture change; every word of the text stays as it was written.

import { AGENCY_CODE, BOILERPLATE_HEADING, DATELINE_AT_START, DATELINE_BODY, EMBARGO_LINE, EMOJI_BULLET, execAll, PAGE_LINE } from './patterns';
import { closingStart } from './contact';

export interface SourceHints {
  title?: string | null;
  subtitle?: string | null;
}

const MONTHS =
  'Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sept?|Okt|Nov|Dez';
/** "1. April 2025 – …" at a line start is a date, not an ordered list. */
const DATE_AT_LINE_START = new RegExp(`^([ \\t]{0,3})(\\d{1,2})\\.([ \\t]+(?:${MONTHS})(?![\\p{L}]))`, 'u');
/** Bullet characters of word processors and web pages (including Word's Symbol-font bullets). */
const BULLET = /^[ \t]{0,3}[•▪◦‣●○■□►▶➢➤✓✔◆♦·\uf0b7\uf0a7\uf076\uf0d8\uf0fc][ \t]+(?=\S)/u;
/** "-\tText" from Word, which Markdown does not read as a list item. */
const DASH_TAB = /^([ \t]{0,3}[-*+])\t+/;
const DASH_BULLET = /^[ \t]{0,3}[–—][ \t]+(?=\S)/u;
const MARKDOWN_LIST_ITEM = /^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S/;
const FENCE = /^[ \t]{0,3}(?:```|~~~)/;

/**
 * Words after which neither a sentence nor a heading can end: a blank line after them is a stray
 * one. (Verb particles such as "ein", "an", "vor" end headings: "Gemeinde lädt zur Versammlung ein".)
 */
const CONTINUING_WORDS = new Set([
  'und', 'oder', 'sowie', 'aber', 'als', 'wie', 'dass', 'ob', 'weil', 'wenn', 'der', 'die', 'das', 'den', 'dem',
  'des', 'eine', 'einen', 'einem', 'einer', 'eines', 'für', 'von', 'vom', 'zum', 'zur', 'im', 'in', 'am', 'ohne',
  'seine', 'ihre', 'unsere', 'diese', 'dieser', 'dieses', 'sehr', 'bis',
]);

/** Characters that are only ever invisible noise in a pasted release. */
const INVISIBLE = /[\u00ad\u200b\u2060\ufeff\u200e\u200f]/g;
const LINE_BREAKS = /\r\n?|[\u2028\u2029\v\f\u0085]/g;
const BLANKISH = /^[\s\u00a0\u2000-\u200a\u202f\u3000]*$/;

export function prepareSource(text: string, hints: SourceHints = {}): string {
  let lines = text.replace(LINE_BREAKS, '\n').replace(INVISIBLE, '').split('\n');
  lines = cleanLines(lines);
  lines = dropPageFurniture(lines);
  lines = mergeStrayBlankLines(lines);
  // Title, embargo and dateline can only run together near the top.
  const head = new Set(lines.map((line, i) => (line.trim() === '' ? -1 : i)).filter((i) => i >= 0).slice(0, 6));
  lines = lines.flatMap((line, i) => splitRunTogether(line, hints, head.has(i)));
  lines = separateClosingBlocks(lines);
  // Three or more blank lines mean nothing more than one.
  const out: string[] = [];
  for (const line of lines) if (!(line === '' && out.length > 0 && out[out.length - 1] === '')) out.push(line);
  while (out.length > 0 && out[0] === '') out.shift();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

/** Whitespace, bullets and indentation, line by line; fenced code stays untouched. */
function cleanLines(input: readonly string[]): string[] {
  const lines: string[] = [];
  let inFence = false;
  let listContext = false;
  for (let i = 0; i < input.length; i++) {
    const rawLine = input[i] ?? '';
    if (FENCE.test(rawLine)) inFence = !inFence;
    if (inFence || FENCE.test(rawLine)) {
      lines.push(rawLine);
      continue;
    }
    if (BLANKISH.test(rawLine)) {
      lines.push('');
      continue;
    }
    let line = rawLine.replace(/[ \t\u00a0]+$/u, '').replace(DASH_TAB, '$1 ');
    // Double spaces and tabs inside a line are typing noise; leading ones are handled below.
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    line = indent + line.slice(indent.length).replace(/[ \t]{2,}|\t/g, ' ');
    // Bullets, emoji and dashes all open a line with a character beyond ASCII.
    if (line.charCodeAt(indent.length) > 0x7f) {
      line = line.replace(BULLET, '- ');
      if (isEmojiBullet(line) && (isEmojiBullet(input[i + 1] ?? '') || isEmojiBullet(input[i - 1] ?? '') || listContext)) {
        line = `- ${line.trimStart()}`;
      } else if (DASH_BULLET.test(line) && (DASH_BULLET.test(input[i + 1] ?? '') || DASH_BULLET.test(input[i - 1] ?? ''))) {
        line = line.replace(DASH_BULLET, '- ');
      }
    }
    if (/^[ \t]{0,3}\d/.test(line)) line = line.replace(DATE_AT_LINE_START, '$1$2\\.$3');
    const isItem = MARKDOWN_LIST_ITEM.test(line);
    const width = indent.replace(/\t/g, '    ').length;
    // Indentation from a word processor would make a code block; inside a list it nests items.
    if (width >= 4 && !listContext) line = line.trimStart();
    if (isItem) listContext = true;
    else if (width === 0) listContext = false;
    lines.push(line);
  }
  return lines;
}

function isEmojiBullet(line: string): boolean {
  const first = line.trimStart().charCodeAt(0);
  return first > 0x2000 && EMOJI_BULLET.test(line);
}

/**
 * "Seite 1 von 3" and the header a PDF or Word file repeats on every page: the header lines
 * come back together (or right after a page number), so a single repeated line, such as the
 * organisation's name in the contact block, stays.
 */
function dropPageFurniture(lines: readonly string[]): string[] {
  const keep = lines.map((line) => !PAGE_LINE.test(line.trim()));
  const head = new Set<string>();
  for (const line of lines) {
    const t = line.trim();
    if (t === '') continue;
    if (head.size >= 6) break;
    if (t.length >= 4 && t.length <= 120 && !MARKDOWN_LIST_ITEM.test(t)) head.add(t);
  }
  const seen = new Set<string>();
  const repeated = lines.map((line) => {
    const t = line.trim();
    if (!head.has(t)) return false;
    if (seen.has(t)) return true;
    seen.add(t);
    return false;
  });
  for (let i = 0; i < lines.length; i++) {
    if (!repeated[i]) continue;
    const prev = neighbour(lines, i, -1);
    const next = neighbour(lines, i, 1);
    const afterPage = prev !== -1 && (!keep[prev] || repeated[prev]);
    const beforeRepeated = next !== -1 && (repeated[next] || !keep[next]);
    if (afterPage || beforeRepeated) keep[i] = false;
  }
  return lines.filter((_l, i) => keep[i]);
}

function neighbour(lines: readonly string[], i: number, step: number): number {
  for (let j = i + step; j >= 0 && j < lines.length; j += step) if ((lines[j] ?? '') !== '') return j;
  return -1;
}

/**
 * Word and mail pastes break paragraphs with blank lines in the middle of a sentence: a line
 * ending in a word after which no sentence ends ("und", "der") or running on in lower case
 * continues across the blank line.
 */
function mergeStrayBlankLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line !== '' || out.length === 0) {
      out.push(line);
      continue;
    }
    const prev = out[out.length - 1] ?? '';
    let j = i;
    while (j < lines.length && (lines[j] ?? '') === '') j++;
    const next = lines[j] ?? '';
    if (prev !== '' && next !== '' && continuesAcross(prev, next)) {
      out[out.length - 1] = `${prev} ${next.trimStart()}`;
      i = j;
      continue;
    }
    out.push(line);
  }
  return out;
}

function continuesAcross(prev: string, next: string): boolean {
  const last = prev.trimEnd();
  const comma = last.endsWith(',');
  const lastWord = (comma ? last.slice(0, -1) : last).slice(last.lastIndexOf(' ') + 1).toLowerCase();
  if (!/^\p{L}+$/u.test(lastWord) || !last.includes(' ')) return false;
  const lowerNext = /^\s*\p{Ll}/u.test(next);
  // No heading ends in "und"; a short line ending in lower case may well be one.
  const continues = CONTINUING_WORDS.has(lastWord) || (last.length >= 30 && lowerNext && (comma || /\p{Ll}$/u.test(last)));
  if (!continues) return false;
  if (MARKDOWN_LIST_ITEM.test(prev) || MARKDOWN_LIST_ITEM.test(next) || /^\s*[#>|]/.test(prev) || /^\s*[#>|]/.test(next)) return false;
  return closingStart(next, next) === null && !DATELINE_AT_START.test(next.trim());
}

/** Openers that are safe to look for inside a run-together line. */
const INLINE_CLOSING = new RegExp(
  String.raw`(?<=[.!?“”"»)]\s{1,3})(?=(?:Pressekontakte?|Presse-Kontakt|Medienkontakt|Kontakt für (?:die )?(?:Medien|Presse)|Impressum|V\.\s?i\.\s?S\.\s?d\.\s?P\.|Verantwortlich im Sinne des Presserechts|Original-Content von|OTS:|newsroom:|Weiteres Material:|(?:Rückfragen(?: bitte)?(?: an)?|Für Rückfragen|Bei Rückfragen|Ansprechpartner(?:in)?(?: für (?:die )?(?:Medien|Presse))?|Kontakt|Pressestelle|Über uns)\s?:))`,
  'gu',
);
const INLINE_STRONG_CLOSING =
  /(?<=\s)(?=(?:Pressekontakte?|Impressum|V\.\s?i\.\s?S\.\s?d\.\s?P\.|Verantwortlich im Sinne des Presserechts|Original-Content von|OTS:|newsroom:|Weiteres Material:)(?![\p{L}]))/gu;
/** Openers that are labels whatever precedes them: agency footers, and any opener with a colon. */
const INLINE_LABEL =
  /^(?:OTS:|newsroom:|Weiteres Material:|Original-Content von|(?:Pressekontakte?|Impressum|V\.\s?i\.\s?S\.\s?d\.\s?P\.?|Verantwortlich im Sinne des Presserechts)\s?:)/u;
const SENTENCE_WORDS_BEFORE_OPENER = new Set([
  'der', 'die', 'das', 'dem', 'den', 'des', 'im', 'ins', 'am', 'zum', 'zur', 'vom', 'ein', 'eine', 'einem', 'einen',
  'unser', 'unserem', 'unseren', 'ihr', 'ihrem', 'ihren', 'sein', 'seinem', 'und', 'oder', 'als', 'wie', 'kein', 'keinem',
  'per', 'für', 'mit', 'ohne', 'über', 'laut', 'siehe',
]);
const INLINE_DATELINE = new RegExp(`(?<=\\S\\s)(?=${DATELINE_BODY})`, 'u');
/** A sentence end with the space after it lost: "eröffnet.Die Kita" (never in URLs or addresses). */
const LOST_SPACE = /(?<=[\p{Ll}]{2}[.!?])(?=\p{Lu}\p{Ll})/gu;
/** Cheap ASCII pre-tests, so that the Unicode patterns run only where they can match. */
const MAY_HAVE_CLOSING = /Kontakt|Impressum|V\.\s?i\.|Original-Content|OTS:|newsroom:|Weiteres Material|Rückfragen|Ansprechpartner|Pressestelle|Über uns|Verantwortlich/;
const MAY_HAVE_DATELINE = /\d|\(ots|\(dpa|\(epd|\(kna|\(afp|\(ap|\(ddp|\(idw|\(red|\(pm|\(lifepr|\(openpr/i;
const LONG_LINE = 100;

/**
 * A release pasted from a web page can arrive as one line: title, dateline, text, contact and
 * agency footer run together. The line is cut where such a part unmistakably starts.
 */
function splitRunTogether(line: string, hints: SourceHints, first: boolean): string[] {
  if (/[a-zäöüß][.!?][A-ZÄÖÜ]/.test(line) && /\p{Ll}[.!?]\p{Lu}/u.test(line)) {
    line = line
      .split(' ')
      .map((word) => (/[/@:\\[\]()_=]|^www\./i.test(word) ? word : word.replace(LOST_SPACE, ' ')))
      .join(' ');
  }
  if ((line.length < LONG_LINE && !first) || MARKDOWN_LIST_ITEM.test(line) || /^\s*[#>|]/.test(line)) return [line];
  const cuts = new Set<number>();
  if (MAY_HAVE_CLOSING.test(line)) {
    for (const m of execAll(INLINE_CLOSING, line)) if (m.index > 0) cuts.add(m.index);
    // "… Bürger Impressum Stadt Musterstadt …": an opener that is never part of a sentence
    // starts the end matter even without a full stop before it, unless an article or a
    // preposition makes it a word of the sentence ("das Impressum der Seite").
    // A label (with its colon) or an agency footer is never a word of a sentence, whatever
    // stands before it: "… Termine und OTS: Polizeipräsidium …".
    for (const m of execAll(INLINE_STRONG_CLOSING, line)) {
      const previous = /(\S+)\s+$/u.exec(line.slice(Math.max(0, m.index - 40), m.index))?.[1] ?? '';
      const label = INLINE_LABEL.test(line.slice(m.index, m.index + 60));
      if (m.index > 0 && (label || !SENTENCE_WORDS_BEFORE_OPENER.has(previous.toLowerCase()))) cuts.add(m.index);
    }
  }
  if (!first) return cutAt(line, cuts);
  const head = line.slice(0, 400);
  const embargo = EMBARGO_LINE.test(head)
    ? /^.{0,120}?(?:\d{1,2}[.:]\d{2}\s?Uhr|\d{1,2}\sUhr|\d{4})(?=\s+[\p{Lu}„])/u.exec(head)
    : null;
  if (embargo) cuts.add(embargo[0].length);
  const trail = breadcrumbEnd(head, hints.title);
  if (trail > 0) cuts.add(trail);
  const codeLength = AGENCY_CODE.exec(head)?.[0].length ?? 0;
  const rest = head.slice(codeLength);
  const dateline = MAY_HAVE_DATELINE.test(head) && !DATELINE_AT_START.test(rest) ? INLINE_DATELINE.exec(rest) : null;
  const beforeDateline = dateline ? rest.slice(0, dateline.index) : '';
  // What stands before an inline dateline is a title, in which no sentence ended; and inside a
  // line only a dash or a colon ends a dateline ("Berlin, 06.09.2012." may close a sentence).
  const written = dateline ? (DATELINE_AT_START.exec(rest.slice(dateline.index))?.[0] ?? '') : '';
  if (dateline && beforeDateline.length <= 250 && !/[.!]\s/.test(beforeDateline) && !/\.\s*$/.test(written)) {
    // "Titel der Mitteilung Musterstadt, 12.03.2024 –": the place is as short as it can be.
    const place = dateline[1] ?? '';
    const at = codeLength + dateline.index + shortestPlaceStart(place);
    if (line.slice(codeLength, at).trim().split(/\s+/).length >= 3) cuts.add(at);
  }
  for (const known of [hints.title, hints.subtitle]) {
    const t = known?.trim();
    if (t && t.length >= 10 && line.startsWith(t) && /^\s+[\p{Lu}„"]/u.test(line.slice(t.length))) cuts.add(t.length);
  }
  return cutAt(line, cuts);
}

const CRUMB_SEPARATOR = /\s[»›>|]\s/g;
/** Words that open a sentence of the message, never a breadcrumb. */
const MESSAGE_OPENERS = new Set(['Die', 'Der', 'Das', 'Am', 'Im', 'Wir', 'Heute', 'Ab', 'Mit', 'In', 'Nach', 'Seit', 'Zum', 'Zur', 'Ein', 'Eine', 'Auch', 'Ihr', 'Sie', 'Er', 'Es']);

/**
 * Where a breadcrumb trail that runs into the text ends: after the title, if the last crumb is
 * the title; otherwise before the first word that opens a sentence. 0 if there is no trail.
 */
function breadcrumbEnd(head: string, title: string | null | undefined): number {
  const separators = execAll(CRUMB_SEPARATOR, head.slice(0, 300));
  const last = separators.at(-1);
  if (separators.length < 2 || !last) return 0;
  const from = last.index + last[0].length;
  const t = title?.trim();
  if (t && head.startsWith(t, from)) return from + t.length;
  const words = head.slice(from).split(' ');
  for (let i = 1, at = from + (words[0]?.length ?? 0) + 1; i < words.length; at += (words[i]?.length ?? 0) + 1, i++) {
    if (MESSAGE_OPENERS.has(words[i] ?? '')) return at;
  }
  return 0;
}

/** Words that belong to the place after them ("Bad Homburg", "Landkreis Musterkreis"). */
const PLACE_PREFIXES = new Set(['Bad', 'Sankt', 'St.', 'Landkreis', 'Kreis', 'Stadt', 'Gemeinde', 'Hansestadt', 'Markt', 'Region']);
const PLACE_CONNECTORS = new Set(['am', 'an', 'der', 'den', 'im', 'in', 'ob', 'bei', 'vor', 'auf', 'a.', 'd.', 'i.', 'v.']);

/** Offset in `place` of the shortest place name that ends it. */
function shortestPlaceStart(place: string): number {
  const words = place.split(' ');
  let k = words.length - 1;
  while (k > 0) {
    const word = words[k] ?? '';
    const before = words[k - 1] ?? '';
    if (/^\p{Lu}/u.test(word) && !PLACE_CONNECTORS.has(before) && !PLACE_PREFIXES.has(before)) break;
    k--;
  }
  return words.slice(0, k).join(' ').length + (k > 0 ? 1 : 0);
}

function cutAt(line: string, cuts: ReadonlySet<number>): string[] {
  if (cuts.size === 0) return [line];
  const positions = [...cuts].filter((c) => c > 0 && c < line.length).sort((a, b) => a - b);
  const parts: string[] = [];
  let at = 0;
  for (const cut of positions) {
    const piece = line.slice(at, cut).trim();
    if (piece !== '') parts.push(piece, '');
    at = cut;
  }
  parts.push(line.slice(at).trim());
  return parts;
}

/**
 * The first contact or boilerplate opener inside a paragraph starts a block of its own; within
 * the end matter, lines stay as the author grouped them.
 */
function separateClosingBlocks(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inFence = false;
  let inEndMatter = false;
  for (const line of lines) {
    if (FENCE.test(line)) inFence = !inFence;
    const prev = out[out.length - 1] ?? '';
    const opens = inFence || inEndMatter || MARKDOWN_LIST_ITEM.test(line) ? null : opensBlock(line);
    if (opens) {
      if (prev !== '') out.push('');
      if (opens === 'closing') inEndMatter = true;
    }
    out.push(line);
  }
  return out;
}

function opensBlock(line: string): 'closing' | 'boilerplate' | null {
  const t = line.trim().replace(/^[*_#\s]+|[*_]+$/g, '');
  if (t === '') return null;
  if (closingStart(t, t) !== null) return 'closing';
  return BOILERPLATE_HEADING.test(t) ? 'boilerplate' : null;
}
