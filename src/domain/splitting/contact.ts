// Press contacts and imprints belong in the article, never in a social post: posts are public
// far beyond the press audience, and a phone number there invites calls nobody planned for.

import type { Block } from './blocks';

/** Block openers that always start the contact/imprint part of a release. */
const STRONG_STARTERS =
  /^(?:presse-?\s?kontakte?|medienkontakte?|kontaktdaten|impressum|v\.\s?i\.\s?s\.\s?d\.\s?p\.?|verantwortlich im sinne des presserechts|original-?\s?content von)(?![\p{L}\p{N}])/iu;

/**
 * Openers that are also ordinary sentence starts ("Kontakt zu Bürgern ist …"): they start the
 * contact part only as a label (alone, or followed by a colon on the same line) or when the
 * block holds contact data.
 */
const WEAK_STARTERS =
  /^(?:kontakt|f(?:ü|ue)r rückfragen|rückfragen|ansprechpartner(?:in|innen|\/in|\*in|:in)?|ansprechperson(?:en)?|pressestelle|presseanfragen|herausgeber(?:in)?)(?![\p{L}\p{N}])/iu;

const EMAIL = /[\p{L}\p{N}._%+-]+(?:@|\s?[[(]at[\])]\s?)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/iu;
/** International (+49 …) or German trunk-prefixed (030 …, (030) …) numbers with ≥ 6 digits. */
const PHONE = /(?:\+\d{1,3}[ \t\-/]?(?:\(0\)[ \t]?)?\(?\d|\(0\d{1,5}\)[ \t]?\d|(?<![\p{L}\p{N}.,:])0\d{1,5}[ \t\-/]*\d)[\d \t\-/]{3,}\d/gu;
/** "06/09/2012" has the shape of a number with a trunk prefix but is a date. */
const SLASH_DATE = /^\d{1,2}\/\d{1,2}\/\d{2,4}$/;
const PHONE_LABEL = /(?<![\p{L}])(?:tel|telefon|telefax|fax|mobil|handy|phone)\.?\s*:?\s*[+(\d]/iu;

export function containsContactData(text: string): boolean {
  if (EMAIL.test(text) || PHONE_LABEL.test(text)) return true;
  for (const [candidate] of text.matchAll(PHONE)) {
    if (countDigits(candidate) >= 6 && !SLASH_DATE.test(candidate)) return true;
  }
  return false;
}

function countDigits(text: string): number {
  let n = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') n++;
  return n;
}

/** Leading Markdown remnants and dashes ("**", "– ") do not hide a label. */
function opener(line: string): string {
  return line.replace(/^[^\p{L}\p{N}]+/u, '');
}

export function isContactStart(block: Block): boolean {
  const first = opener(block.lines.find((l) => l.trim() !== '') ?? '');
  if (STRONG_STARTERS.test(first)) return true;
  const weak = WEAK_STARTERS.exec(first);
  if (!weak) return false;
  const after = first.slice(weak[0].length);
  const labelOnly = /^\s*:?\s*$/.test(after);
  const labelWithColon = /^[^.!?]{0,40}:/.test(after);
  return labelOnly || labelWithColon || containsContactData(block.text);
}

/** Index of the first block of the contact/imprint part; everything from there on is excluded. */
export function contactStartIndex(blocks: readonly Block[]): number {
  const index = blocks.findIndex(isContactStart);
  return index === -1 ? blocks.length : index;
}
