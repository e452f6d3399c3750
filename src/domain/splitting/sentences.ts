// German-aware sentence segmenter. It errs towards NOT splitting: two sentences kept together
// only make a thread part fuller, while a split after "z. B." or "1." puts half a phrase into
// a post of its own. A later parser may learn more; this one knows abbreviations, ordinals,
// dates and times.

/** Lower-case, without the final dot. Single letters ("e. V.", "z. B.") are handled by rule. */
const ABBREVIATIONS = new Set([
  // titles and forms of address
  'dr', 'prof', 'dipl', 'ing', 'mag', 'dres', 'hr', 'hrn', 'fr', 'frl', 'sr', 'jr', 'st',
  // references and enumerations
  'nr', 'abs', 'art', 'bd', 'bsp', 'bspw', 'bzw', 'ca', 'ebd', 'evtl', 'ggf', 'gem', 'inkl',
  'insb', 'kap', 'lfd', 'lt', 'mind', 'max', 'min', 'pkt', 'sog', 'tsd', 'usw', 'usf', 'etc',
  'vgl', 'vs', 'zzgl', 'zit', 'ziff', 'az', 'aktz', 'anm', 'allg', 'einschl', 'erg', 'geb',
  'hrsg', 'jh', 'jhd', 'mio', 'mrd', 'ref', 'reg', 'bez', 'kr', 'std', 'verf', 'zt', 'zb',
  'ua', 'uvm', 'uva', 'od', 'bzgl', 'gegr', 'dt', 'engl', 'frz', 'ehem', 'vorm', 'verh',
  // contact and address
  'tel', 'fax', 'str', 'postf', 'pl', 'hbf', 'bhf',
  // weekdays and months
  // ("So." is left out: "so" ends too many German sentences)
  'mo', 'di', 'mi', 'do', 'sa', 'jan', 'feb', 'mär', 'apr', 'jun', 'jul', 'aug', 'sep',
  'sept', 'okt', 'nov', 'dez',
]);

/** End of a sentence candidate: terminal punctuation, closing quotes/brackets, whitespace. */
const CANDIDATE = /([.!?…]+)(["'“”«»‘’)\]]*)(\s+)/gu;
/** A new sentence starts with a capital, a digit or an opening quote/bracket. */
const SENTENCE_START = /^[\p{Lu}\p{N}„“"'»«‚([]/u;

export function splitSentences(text: string): string[] {
  const normalized = text.replace(/\s+/g, ' ').trim();
  if (normalized === '') return [];
  const sentences: string[] = [];
  let start = 0;
  for (const match of normalized.matchAll(CANDIDATE)) {
    const punctEnd = (match.index ?? 0) + (match[1]?.length ?? 0);
    const boundary = (match.index ?? 0) + match[0].length - (match[3]?.length ?? 0);
    const next = normalized.slice((match.index ?? 0) + match[0].length);
    if (!SENTENCE_START.test(next)) continue;
    const punct = match[1] ?? '';
    const closers = match[2] ?? '';
    if (punct === '.' && closers === '' && !endsSentence(normalized.slice(start, punctEnd))) continue;
    sentences.push(normalized.slice(start, boundary));
    start = boundary + 1;
  }
  if (start < normalized.length) sentences.push(normalized.slice(start));
  return sentences;
}

/** Decides for a single "." directly after a word: does it end the sentence? */
function endsSentence(upToDot: string): boolean {
  const lastSpace = upToDot.lastIndexOf(' ');
  const token = upToDot.slice(lastSpace + 1, -1).replace(/^[„“"'»«‚([]+/u, '');
  if (token === '') return true;
  // Single letters and letter-dot chains: e. V., z. B., u. a., d. h., e.V., u.v.a., V.i.S.d.P.
  if (/^(?:\p{L}\.)*\p{L}$/u.test(token)) return false;
  const lower = token.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return false;
  // Street names: "Hauptstr. 5", "Goethestr. 12" (no German word ends in "str" otherwise).
  if (lower.endsWith('str')) return false;
  // Ordinals and day numbers: "1. April", "am 3. Tag", "06. 09. 2012".
  if (/^\d{1,3}$/.test(token)) return false;
  // A date without year: "am 06.09. um 10 Uhr".
  if (/^\d{1,2}\.\d{1,2}$/.test(token)) return false;
  return true;
}

/** Words are what lies between spaces; nothing ever cuts inside one. */
export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/**
 * A sentence cut into clauses: after ",", ";" or ":" and before a dash. Used only when a
 * sentence is longer than a whole post, so that the cut falls where a reader pauses anyway.
 */
export function splitClauses(sentence: string): string[] {
  const clauses: string[] = [];
  let current: string[] = [];
  for (const word of splitWords(sentence)) {
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
