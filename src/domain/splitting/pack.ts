// Packs text units (title, sentences, link) into as few posts as a network allows. Preference
// order when something does not fit: start a new part at a sentence boundary; split a sentence
// between clauses, then between words; only a single word or URL longer than a whole post is
// ever cut.

import { graphemes } from './lengths';
import { splitAtoms, splitClauses, splitWords } from './sentences';

export interface Unit {
  text: string;
  /** Put between this unit and the previous one when both land in the same part. */
  sep: string;
  /** Always start a new part with this unit (e.g. the lead after "title + link" on X). */
  breakBefore?: boolean;
}

export interface PackOptions {
  /** Every rule of the network for one complete post. */
  fits(text: string): boolean;
  /** Appended to the first part after a blank line, e.g. link and hashtags. */
  firstTail?: string;
  /** Thread counter added to every part when there is more than one; omitted for one part. */
  counter?: (index: number, total: number) => string;
}

export interface PackResult {
  parts: string[];
  /** A sentence had to be spread over two parts (cut at a clause or between words). */
  splitSentence: boolean;
  /** A word longer than a whole post had to be cut. */
  splitWord: boolean;
}

/** The counter used by every threaded channel: " (1/3)" at the end of each part. */
export const threadCounter = (index: number, total: number): string => ` (${index}/${total})`;

export function joinUnits(units: readonly Unit[]): string {
  return units.reduce((acc, u, i) => (i === 0 ? u.text : acc + u.sep + u.text), '');
}

/** Two words or more (splitWords would give more than one). */
const MORE_THAN_ONE_WORD = /\S\s+\S/;

export function packThread(units: readonly Unit[], opts: PackOptions): PackResult {
  // The counter's width depends on the number of parts, which depends on the counter's width.
  // Pack assuming the widest total with d digits (9, 99, …); a real total with as many digits
  // renders no longer, so every part still fits.
  for (let assumed = 9; ; ) {
    const packed = packWith(units, opts, assumed);
    if (packed.bodies.length <= assumed || assumed >= 99999) return finish(packed, opts);
    // Wider counters only ever make more parts: go straight to as many digits as this packing
    // needed (a long text would otherwise be packed once for every digit).
    assumed = Math.min(99999, Math.max(assumed * 10 + 9, 10 ** String(packed.bodies.length).length - 1));
  }
}

interface Packed {
  bodies: string[];
  splitSentence: boolean;
  splitWord: boolean;
}

function finish(packed: Packed, opts: PackOptions): PackResult {
  const total = packed.bodies.length;
  const parts = packed.bodies.map((body, i) => render(body, i, opts) + (total > 1 && opts.counter ? opts.counter(i + 1, total) : ''));
  return { parts, splitSentence: packed.splitSentence, splitWord: packed.splitWord };
}

function render(body: string, index: number, opts: PackOptions): string {
  if (index !== 0 || !opts.firstTail) return body;
  return body === '' ? opts.firstTail : `${body}\n\n${opts.firstTail}`;
}

function packWith(units: readonly Unit[], opts: PackOptions, assumedTotal: number): Packed {
  const bodies: string[] = [];
  let current = '';
  let splitSentence = false;
  let splitWord = false;

  const counterFor = (index: number): string => (opts.counter ? opts.counter(index + 1, assumedTotal) : '');
  const fitsPart = (body: string): boolean => opts.fits(render(body, bodies.length, opts) + counterFor(bodies.length));
  /** Would the piece fit in an empty part after the first (which carries no tail)? */
  const fitsLaterPart = (piece: string): boolean => opts.fits(piece + counterFor(Math.max(bodies.length, 1)));
  const flush = (): void => {
    bodies.push(current);
    current = '';
  };
  /**
   * Adds a piece to the current part, or alone to a new one; false if it fits in neither.
   * `tailOnlyFirst` lets the first part hold nothing but its tail when the piece does not fit
   * beside it; whole sentences never do that, so the first post always starts with text.
   */
  const place = (piece: string, sep: string, tailOnlyFirst: boolean): boolean => {
    const candidate = current === '' ? piece : current + sep + piece;
    if (fitsPart(candidate)) {
      current = candidate;
      return true;
    }
    const emptyFirstWithTail = current === '' && bodies.length === 0 && !!opts.firstTail;
    if (current === '' && !(emptyFirstWithTail && tailOnlyFirst)) return false;
    flush();
    if (!fitsPart(piece)) return false;
    current = piece;
    return true;
  };

  /** Cuts a word longer than a whole part into the longest pieces that fit (the only cut in a word). */
  const cutWord = (word: string): void => {
    splitWord = true;
    // The current part is empty here: place() flushed it. Cut by graphemes, so no character
    // is ever torn apart.
    const all = graphemes(word);
    let at = 0;
    let guess = 1;
    while (at < all.length) {
      const take = longestFittingPrefix(all, at, fitsPart, guess);
      guess = take;
      current = all.slice(at, at + take).join('');
      at += take;
      if (at < all.length) flush();
    }
  };

  /**
   * Places atoms one by one ("8. November 2004", "Dr. Erika", "10:30 Uhr" stay together); only
   * an atom longer than a whole part is taken apart into its words.
   */
  const placeWords = (text: string, sep: string): void => {
    splitAtoms(text).forEach((atom, a) => {
      const atomSep = a === 0 ? sep : ' ';
      if (place(atom, atomSep, true)) return;
      splitWords(atom).forEach((word, w) => {
        if (!place(word, w === 0 ? atomSep : ' ', true)) cutWord(word);
      });
    });
  };

  for (const unit of units) {
    if (unit.breakBefore && current !== '') flush();
    if (place(unit.text, unit.sep, false)) continue;
    // Too long for the part it would start: cut between clauses, then between words.
    const clauses = splitClauses(unit.text);
    if (clauses.length > 1 || MORE_THAN_ONE_WORD.test(unit.text)) splitSentence = true;
    clauses.forEach((clause, c) => {
      const sep = c === 0 ? unit.sep : ' ';
      if (!place(clause, sep, fitsLaterPart(clause))) placeWords(clause, sep);
    });
  }
  if (current !== '' || bodies.length === 0) flush();
  return { bodies, splitSentence, splitWord };
}

/**
 * How many pieces from `start` on fit, found by galloping from `guess` (the previous part's
 * size: the parts of one cut word are nearly alike) and then bisecting. The cost follows the
 * part's size, not the rest of the word, so cutting a very long word stays linear overall.
 * At least one piece, so the loop always progresses (the limit guard reports an overlong one).
 */
function longestFittingPrefix(pieces: readonly string[], start: number, fits: (s: string) => boolean, guess = 1): number {
  const length = pieces.length - start;
  const ok = (n: number): boolean => fits(pieces.slice(start, start + n).join(''));
  if (!ok(1)) return 1;
  let lo = 1; // fits
  let bad = length + 1; // does not fit, or is past the end
  const first = Math.min(Math.max(guess, 1), length);
  if (first > 1) {
    if (ok(first)) lo = first;
    else bad = first;
  }
  if (bad === length + 1) {
    for (let step = 1; lo + step < bad; step *= 2) {
      if (!ok(lo + step)) {
        bad = lo + step;
        break;
      }
      lo += step;
    }
  } else {
    for (let step = 1; bad - step > lo; step *= 2) {
      if (ok(bad - step)) {
        lo = bad - step;
        break;
      }
      bad -= step;
    }
  }
  while (bad - lo > 1) {
    const mid = (lo + bad) >>> 1;
    if (ok(mid)) lo = mid;
    else bad = mid;
  }
  return lo;
}
