// Lines that are part of a release's source but not of its message: navigation scraped from a
// web page, advertising markers, datelines on their own, agency and embargo boilerplate.

import { isAbbreviationWord } from './sentences';

const AD_MARKER = /^(?:anzeige|werbung|advertorial|sponsored)\b\s*:?\s*/iu;
const NAV_SEPARATOR = /\s[»›>|]\s/g;
const NAV_START = /^(?:home|startseite|sie sind hier|you are here)\b/iu;
const BOILERPLATE =
  /^(?:pressemitteilung|presseinformation|medieninformation|pressemeldung|pressenotiz|sperrfrist|embargo|zur sofortigen veröffentlichung|es gilt das gesprochene wort|seite \d+ von \d+|(?:foto|fotos|bild|bildquelle|bildnachweis|bildunterschrift|quelle)\s*:)/iu;
const DATE = String.raw`(?:\d{1,2}\.\s?(?:\d{1,2}\.|\p{L}+)\s?\d{2,4}|\d{4}-\d{2}-\d{2})`;
const DATELINE_ONLY = new RegExp(
  String.raw`^\p{Lu}[\p{L}\p{M} .\-/]*?(?:\s?\(ots\))?\s?[,–—-]?\s?(?:(?:den|am)\s)?(?:${DATE})?\s?[–—:-]?$`,
  'u',
);

export function comparable(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Same words, ignoring case and punctuation ("Titel:" = "titel"). Lines of a very different
 * length cannot match, and skipping them saves most of the cost on long paragraphs.
 */
/** References (title, subtitle, dateline) are compared with line after line: keep their form. */
const referenceCache = new Map<string, string>();

export function sameText(line: string, reference: string): boolean {
  if (Math.abs(line.length - reference.length) > reference.length / 2 + 10) return false;
  let wanted = referenceCache.get(reference);
  if (wanted === undefined) {
    if (referenceCache.size >= 16) referenceCache.clear();
    wanted = comparable(reference);
    referenceCache.set(reference, wanted);
  }
  return wanted !== '' && comparable(line) === wanted;
}

export function isNavigationLine(line: string): boolean {
  const rest = line.replace(AD_MARKER, '');
  const separators = rest.match(NAV_SEPARATOR)?.length ?? 0;
  return separators >= 2 || (NAV_START.test(rest) && separators >= 1);
}

export function isAdMarker(line: string): boolean {
  return AD_MARKER.test(line) && line.replace(AD_MARKER, '').trim() === '';
}

export function isBoilerplateLine(line: string): boolean {
  return BOILERPLATE.test(line.trim());
}

/** "Berlin, 1. April 2025", "Musterstadt (ots) –": nothing but place and date. */
export function isDatelineOnly(line: string, dateline?: string | null): boolean {
  const trimmed = line.trim();
  if (dateline && sameText(trimmed, dateline)) return true;
  if (trimmed.length > 80 || !/\d|\(ots\)/i.test(trimmed)) return false;
  return DATELINE_ONLY.test(trimmed);
}

/**
 * A short line without closing punctuation reads as a (sub)heading, not a paragraph. A final
 * dot that belongs to an abbreviation ("… u. a.", "… Nr.") closes nothing.
 */
export function isHeadingLike(line: string, maxLength = 120): boolean {
  const trimmed = line.trim();
  if (trimmed.length > maxLength) return false;
  if (!/[.!?…:;]["'“”«»‘’)\]]*$/u.test(trimmed)) return true;
  // Only abbreviations that cannot be a name: "u. a.", "d. h.", "bzw.", "stellv." (not "Max.").
  const last = trimmed.slice(trimmed.lastIndexOf(' ') + 1);
  return trimmed.endsWith('.') && /^\p{Ll}/u.test(last) && isAbbreviationWord(last);
}
