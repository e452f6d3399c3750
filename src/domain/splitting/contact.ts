// Press contacts and imprints belong in the article, never in a social post: posts are public
// far beyond the press audience, and a phone number there invites calls nobody planned for.

import {
  closingKind,
  END_MATTER_WORD,
  MAY_HAVE_END_MATTER_WORD,
  findEmailAddresses,
  execAll,
  IBAN_GLOBAL,
  LABELLED_PHONE_GLOBAL,
  PHONE_GLOBAL,
  SLASH_DATE,
  STRONG_CLOSING,
  WEAK_CLOSING,
} from './patterns';

export type PhoneKind = 'phone' | 'fax' | 'mobile';

export interface PhoneNumber {
  /** As written, e.g. "0381 4916-3040". */
  number: string;
  kind: PhoneKind;
}

const PHONE_LABEL_TEST = /(?<![\p{L}])(?:tel|telefon|telefax|fax|mobil|handy|phone)\.?\s*:?\s*[+(\d]/iu;
/** German mobile prefixes (015x, 016x, 017x), national or international. */
const MOBILE = /^(?:\+49[\s\-/]?(?:\(0\)\s?)?|0)1[5-7]\d/;

/** Cheap test first: most paragraphs have neither "@", "(at)" nor a digit run. */
export function containsContactData(text: string): boolean {
  const maybeEmail = /@|\(at\)|\[at\]/i.test(text);
  const maybePhone = MAY_HAVE_PHONE.test(text);
  if (!maybeEmail && !maybePhone) return false;
  if (maybeEmail && findEmailAddresses(text).length > 0) return true;
  if (!maybePhone) return false;
  if (PHONE_LABEL_TEST.test(text)) return true;
  for (const [candidate] of execAll(PHONE_GLOBAL, text)) {
    if (isPhoneCandidate(candidate)) return true;
  }
  return false;
}

/**
 * Where the first contact data or word of end matter (END_MATTER_WORD) begins, or -1: the same
 * contact data containsContactData looks for.
 */
export function endMatterAt(text: string): number {
  let at = -1;
  const earliest = (index: number | undefined): void => {
    if (index !== undefined && index >= 0 && (at === -1 || index < at)) at = index;
  };
  if (MAY_HAVE_END_MATTER_WORD.test(text)) earliest(END_MATTER_WORD.exec(text)?.index);
  if (/@|\(at\)|\[at\]/i.test(text)) earliest(findEmailAddresses(text)[0]?.index);
  if (MAY_HAVE_PHONE.test(text)) {
    earliest(PHONE_LABEL_TEST.exec(text)?.index);
    earliest(execAll(PHONE_GLOBAL, text).find((m) => isPhoneCandidate(m[0]))?.index);
  }
  return at;
}

function isPhoneCandidate(candidate: string): boolean {
  return countDigits(candidate) >= 6 && !SLASH_DATE.test(candidate.trim());
}

function countDigits(text: string): number {
  let n = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') n++;
  return n;
}

export function findEmails(text: string): string[] {
  if (!/@|\(at\)|\[at\]/i.test(text)) return [];
  return findEmailAddresses(text).map((m) => m.text);
}

/** Phone and fax numbers, labelled ("Tel.: 12 34 56") or recognisable by their prefix. */
const MAY_HAVE_PHONE = /\d[\d \t\-/()]{4,}\d/;

export function findPhoneNumbers(text: string): PhoneNumber[] {
  if (!MAY_HAVE_PHONE.test(text)) return [];
  const found: { at: number; end: number; phone: PhoneNumber }[] = [];
  for (const m of execAll(LABELLED_PHONE_GLOBAL, text)) {
    const label = (m[1] ?? '').toLowerCase();
    const number = (m[2] ?? '').trim();
    if (countDigits(number) < 5) continue;
    const at = (m.index ?? 0) + m[0].length - (m[2] ?? '').length;
    const kind: PhoneKind = label.includes('fax') ? 'fax' : label === 'mobil' || label === 'handy' || MOBILE.test(number) ? 'mobile' : 'phone';
    found.push({ at, end: at + number.length, phone: { number, kind } });
  }
  // An IBAN's digit groups have the shape of a phone number.
  for (const m of /[A-Z]{2}\d{2}/.test(text) ? execAll(IBAN_GLOBAL, text) : []) {
    if (validIban(m[0].replace(/ /g, ''))) found.push({ at: m.index, end: m.index + m[0].length, phone: { number: '', kind: 'phone' } });
  }
  for (const m of execAll(PHONE_GLOBAL, text)) {
    const number = m[0].trim();
    const at = m.index ?? 0;
    if (!isPhoneCandidate(number) || found.some((f) => at < f.end && at + m[0].length > f.at)) continue;
    found.push({ at, end: at + m[0].length, phone: { number, kind: MOBILE.test(number) ? 'mobile' : 'phone' } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.phone).filter((p) => p.number !== '');
}

/** IBANs that pass the mod-97 check, as written. */
export function findIbans(text: string): string[] {
  if (!/[A-Z]{2}\d{2}/.test(text)) return [];
  return execAll(IBAN_GLOBAL, text).map((m) => m[0]).filter((candidate) => validIban(candidate.replace(/ /g, '')));
}

function validIban(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/**
 * The text without e-mail addresses, phone numbers (with their labels) and IBANs, for a title
 * that carries them: "Neue Hotline 0800 123456 für Eltern" → "Neue Hotline für Eltern". Only
 * whole words are removed: a match that starts or ends inside a word ("10:30") is not one.
 */
export function stripContactData(text: string): string {
  if (!containsContactData(text) && findIbans(text).length === 0) return text;
  const ranges: [number, number][] = [];
  const add = (m: { index: number; 0: string }, valid: boolean, from = m.index): void => {
    const start = from;
    const end = m.index + m[0].replace(/\s+$/, '').length;
    const startsWord = start === 0 || /\s/.test(text[start - 1] ?? '');
    const endsWord = /^[,.;:!?)]*(?:\s|$)/.test(text.slice(end));
    if (valid && startsWord && endsWord) ranges.push([start, end]);
  };
  for (const m of findEmailAddresses(text)) add({ index: m.index, 0: m.text }, true);
  for (const m of execAll(LABELLED_PHONE_GLOBAL, text)) {
    // "Tel.:" goes with its number; "Hotline" and "Rufnummer" are words of the title.
    const label = (m[1] ?? '').toLowerCase();
    const from = label === 'hotline' || label === 'rufnummer' ? m.index + m[0].length - (m[2] ?? '').length : m.index;
    add(m, countDigits(m[2] ?? '') >= 5, from);
  }
  for (const m of execAll(PHONE_GLOBAL, text)) add(m, isPhoneCandidate(m[0].trim()));
  for (const m of execAll(IBAN_GLOBAL, text)) add(m, validIban(m[0].replace(/ /g, '')));
  if (ranges.length === 0) return text;
  ranges.sort((x, y) => x[0] - y[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) {
      at = Math.max(at, end);
      continue;
    }
    out += `${text.slice(at, start)} `;
    at = end;
  }
  out += text.slice(at);
  return out
    .replace(/(?<![\p{L}\p{N}])(?:e-?mail|tel(?:efon)?|fax|mobil)\.?\s*:(?=\s|$)/giu, ' ')
    .replace(/\s+([,.;:!?])(?=\s|$)/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:–-]+|[\s,;:–-]+$/gu, '')
    .trim();
}

/** Leading Markdown remnants and dashes ("**", "– ") do not hide a label. */
function opener(line: string): string {
  return line.replace(/^[^\p{L}\p{N}]+/u, '');
}

/**
 * The kind of end matter a line opens, or null: "Pressekontakt:", "Rückfragen bitte an:",
 * "V.i.S.d.P.", "Original-Content von: …". `blockText` decides for the weak openers.
 */
export function closingStart(line: string, blockText: string): 'contact' | 'imprint' | 'agency' | null {
  const first = opener(line);
  if (first === '') return null;
  if (STRONG_CLOSING.test(first)) return closingKind(first);
  const weak = WEAK_CLOSING.exec(first);
  if (!weak) return null;
  const after = first.slice(weak[0].length);
  const labelOnly = /^\s*[:*]*\s*$/.test(after);
  const labelWithColon = /^[^.!?]{0,40}:/.test(after);
  return labelOnly || labelWithColon || containsContactData(blockText) ? closingKind(first) : null;
}
