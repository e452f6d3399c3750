// German-aware sentence segmenter. It errs towards NOT splitting: two sentences kept together
// only make a thread part fuller, while a split after "z. B." or "1." puts half a phrase into
// a post of its own. It knows abbreviations, ordinals, dates, times and paragraph signs; the
// same knowledge groups words into atoms that a thread never cuts ("8. November 2004",
// "10:30 Uhr", "Dr. Erika Beispiel", "§ 43", "z. B.").

import { execAll, MONTH_WORD } from './patterns';

/** Lower-case, without the final dot. Single letters ("e. V.", "z. B.") are handled by rule. */
const ABBREVIATIONS = new Set([
  // titles, functions and forms of address
  'dr', 'prof', 'dipl', 'ing', 'mag', 'dres', 'hr', 'hrn', 'fr', 'frl', 'sr', 'jr', 'st', 'stellv', 'stv',
  'vors', 'bgm', 'gf', 'kom', 'komm', 'ltd', 'abt', 'ltg', 'ref', 'reg', 'präs', 'verw', 'em', 'habil',
  // references and enumerations
  'nr', 'nrn', 'abs', 'art', 'bd', 'bsp', 'bspw', 'bzw', 'ca', 'ebd', 'evtl', 'ggf', 'gem', 'inkl',
  'insb', 'kap', 'lfd', 'lt', 'mind', 'max', 'min', 'pkt', 'sog', 'tsd', 'usw', 'usf', 'etc',
  'vgl', 'vs', 'zzgl', 'zit', 'ziff', 'az', 'aktz', 'anm', 'anl', 'allg', 'einschl', 'erg', 'geb',
  'hrsg', 'jh', 'jhd', 'mio', 'mrd', 'bez', 'kr', 'lkr', 'std', 'verf', 'zt', 'zb', 'aufl', 'einw',
  'ua', 'uvm', 'uva', 'od', 'bzgl', 'gegr', 'dt', 'engl', 'frz', 'ehem', 'vorm', 'verh', 'gde',
  // contact and address
  'tel', 'fax', 'str', 'postf', 'pl', 'hbf', 'bhf',
  // weekdays and months
  // ("So." is left out: "so" ends too many German sentences)
  'mo', 'di', 'mi', 'do', 'sa', 'jan', 'feb', 'mär', 'apr', 'jun', 'jul', 'aug', 'sep',
  'sept', 'okt', 'nov', 'dez',
]);

/** Abbreviations that stand before what they belong to, so a thread never cuts after them. */
const LEADING_ABBREVIATIONS = new Set([
  'dr', 'prof', 'dipl', 'ing', 'mag', 'dres', 'hr', 'hrn', 'fr', 'frl', 'st', 'stellv', 'stv', 'vors', 'bgm',
  'nr', 'nrn', 'abs', 'art', 'bd', 'ca', 'kap', 'ziff', 'az', 'aktz', 'tel', 'fax', 'lt', 'gem', 'vgl', 'inkl',
  'zzgl', 'max', 'min', 'mind', 'bzgl', 'geb', 'gegr', 'ehem', 'verw', 'abt', 'anl', 'lkr', 'kr', 'gde', 'bez',
  'mo', 'di', 'mi', 'do', 'fr', 'sa', 'tsd', 'mio', 'mrd',
]);

/**
 * Abbreviations that often end a sentence ("… e.V. Der Verein …"): after them, a word that can
 * only start a sentence does start one.
 */
const CLOSING_ABBREVIATIONS = /^(?:e\.\s?v|usw|etc|u\.\s?v\.\s?a|u\.\s?v\.\s?m|uvm|uva)$/iu;
const SENTENCE_OPENERS = new Set([
  'Der', 'Die', 'Das', 'Dies', 'Diese', 'Dieser', 'Dieses', 'Wir', 'Sie', 'Er', 'Es', 'Ich', 'Im', 'Am', 'Zum', 'Zur',
  'Auch', 'Außerdem', 'Zudem', 'Darüber', 'Weitere', 'Alle', 'Ein', 'Eine', 'Seit', 'Ab', 'Nach', 'Mit', 'In',
]);

/** Units and words a number is never parted from: "10:30 Uhr", "300 Euro", "5 %". */
const UNITS = /^(?:uhr|euro|eur|€|%|prozent|cent|ct|km|m|cm|mm|kg|g|t|ha|qm|m²|m³|kw|kwh|mw|mwh|l|ml|grad|°c|mio\.?|mrd\.?|tsd\.?|jahre?n?|monate?n?|wochen?|tage?n?|stunden?|minuten?|std\.|min\.|plätze|personen|einwohner(?:innen)?)[.,;:!?)]*$/iu;

/** End of a sentence candidate: terminal punctuation, closing quotes/brackets, whitespace. */
const CANDIDATE = /([.!?…]+)(["'“”«»‘’)\]]*)(\s+)/gu;
/** A new sentence starts with a capital, a digit or an opening quote/bracket. */
const SENTENCE_START = /^[\p{Lu}\p{N}„“"'»«‚([]/u;

export function splitSentences(text: string): string[] {
  const normalized = text.replace(/\s+/g, ' ').trim();
  if (normalized === '') return [];
  const sentences: string[] = [];
  let start = 0;
  for (const match of execAll(CANDIDATE, normalized)) {
    const punctEnd = (match.index ?? 0) + (match[1]?.length ?? 0);
    const boundary = (match.index ?? 0) + match[0].length - (match[3]?.length ?? 0);
    const next = normalized.slice((match.index ?? 0) + match[0].length);
    if (!SENTENCE_START.test(next)) continue;
    const punct = match[1] ?? '';
    const closers = match[2] ?? '';
    if (punct === '.' && closers === '' && !endsSentence(normalized.slice(start, punctEnd), next)) continue;
    sentences.push(normalized.slice(start, boundary));
    start = boundary + 1;
  }
  if (start < normalized.length) sentences.push(normalized.slice(start));
  return sentences;
}

/** Decides for a single "." directly after a word: does it end the sentence? */
function endsSentence(upToDot: string, next: string): boolean {
  const lastSpace = upToDot.lastIndexOf(' ');
  const token = upToDot.slice(lastSpace + 1, -1).replace(/^[„“"'»«‚([]+/u, '');
  if (token === '') return true;
  if (!isAbbreviation(token)) return true;
  // "… beim Kommunalen Bildungswerk e.V. Der Hauptsitz …": the abbreviation ends the sentence.
  if (CLOSING_ABBREVIATIONS.test(trailingAbbreviation(upToDot))) {
    const nextWord = /^[\p{L}]+/u.exec(next)?.[0] ?? '';
    return SENTENCE_OPENERS.has(nextWord);
  }
  return false;
}

/** "e. V." and "u. v. a." are written with spaces; the whole chain is what the rule looks at. */
function trailingAbbreviation(upToDot: string): string {
  const m = /(?:^|\s)((?:\p{L}\.\s?)*\p{L}+)\.$/u.exec(upToDot);
  return m?.[1] ?? '';
}

/** Is the token before a dot an abbreviation, an ordinal or part of a date? */
function isAbbreviation(token: string): boolean {
  // Single letters and letter-dot chains: e. V., z. B., u. a., d. h., e.V., u.v.a., V.i.S.d.P.
  if (/^(?:\p{L}\.)*\p{L}$/u.test(token)) return true;
  const lower = token.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return true;
  // Street names: "Hauptstr. 5", "Goethestr. 12" (no German word ends in "str" otherwise).
  if (lower.endsWith('str')) return true;
  // Ordinals and day numbers: "1. April", "am 3. Tag", "06. 09. 2012".
  if (/^\d{1,3}$/.test(token)) return true;
  // A date without year: "am 06.09. um 10 Uhr".
  if (/^\d{1,2}\.\d{1,2}$/.test(token)) return true;
  // Compounds of abbreviations: "Dipl.-Ing.", "Dr.-Ing.", "Tel.-Nr.", "Mo.–Fr.", "Reg.-Bez.".
  if (/\.[-–]/u.test(token)) {
    const last = /\p{L}+$/u.exec(lower)?.[0] ?? '';
    return last.length <= 5;
  }
  return false;
}

/** "Dr.", "Dipl.-Ing.", "z.", "stellv.": a word whose final dot is not a full stop. */
export function isAbbreviationWord(word: string): boolean {
  const bare = word.replace(/^[„“"'»«‚([]+/u, '');
  return bare.endsWith('.') && bare.length > 1 && isAbbreviation(bare.slice(0, -1)) && !/^\d+$/.test(bare.slice(0, -1));
}

/** Words are what lies between spaces; nothing ever cuts inside one. */
export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/**
 * Words grouped into atoms a thread must never cut: abbreviations with what follows ("z. B.",
 * "Dr. Erika", "Nr. 12", "§ 43"), dates ("8. November 2004", "06. 09. 2012"), numbers with their
 * unit ("10:30 Uhr", "300 Euro"). Atoms are joined by single spaces, so joining them again with
 * spaces gives the text back.
 */
export function splitAtoms(text: string): string[] {
  const words = splitWords(text);
  const atoms: string[] = [];
  let current = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    current = current === '' ? word : `${current} ${word}`;
    const next = words[i + 1];
    if (next === undefined || !glues(word, next)) {
      atoms.push(current);
      current = '';
    }
  }
  if (current !== '') atoms.push(current);
  return atoms;
}

/** Must `word` stay on the same line as the word after it? */
function glues(word: string, next: string): boolean {
  const bare = word.replace(/^[„“"'»«‚([]+/u, '');
  // Only a word that ends the text it belongs to (no comma, bracket or quote) binds forward.
  if (/[,;:!?)\]“”"'»«]$/u.test(bare)) return false;
  // Letter-dot chains: "z." + "B.", "e." + "V.", "a." + "D.", "u." + "v." + "a."
  if (/^\p{L}\.$/u.test(bare) && /^\p{L}\./u.test(next)) return true;
  if (bare === '§' || bare === '§§' || bare === 'Nr' || bare === 'Art') return true;
  if (bare.endsWith('.')) {
    const core = bare.slice(0, -1);
    const lower = core.toLowerCase();
    if (LEADING_ABBREVIATIONS.has(lower) || (lower.endsWith('str') && /^\d/.test(next))) return true;
    if (/\.[-–]/u.test(core) && isAbbreviation(core)) return true;
    // Ordinals and dates: "1. April", "20. Geburtstag", "06. 09. 2012", "06." + "09.2012".
    if (/^\d{1,2}$/.test(core) || /^\d{1,2}\.\d{1,2}$/.test(core)) return true;
  }
  // "November 2004", "März 2024,"
  if (MONTH_WORD.test(bare) && /^\d{4}(?![\d])/.test(next)) return true;
  // A number and its unit: "10:30 Uhr", "12.00 Uhr", "300 Euro", "5 %", "3,5 Mio."
  if (/\d$/.test(bare) && UNITS.test(next)) return true;
  return false;
}

/**
 * A sentence cut into clauses: after ",", ";" or ":" and before a dash. Used only when a
 * sentence is longer than a whole post, so that the cut falls where a reader pauses anyway.
 */
export function splitClauses(sentence: string): string[] {
  const clauses: string[] = [];
  let current: string[] = [];
  for (const word of splitAtoms(sentence)) {
    if (/^[–—-]$/.test(word) && current.length > 0) {
      clauses.push(current.join(' '));
      current = [];
    }
    current.push(word);
    if (/[,;:]["'“”«»‘’)\]]*$/u.test(word)) {
      clauses.push(current.join(' '));
      current = [];
    }
  }
  if (current.length > 0) clauses.push(current.join(' '));
  return clauses;
}
