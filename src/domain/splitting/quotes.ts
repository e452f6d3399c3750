// Quotes in a release: „…“ (German), "…" (typewriter), »…« and ‚…‘, with who said them:
// „…“, so Bürgermeisterin Erika Beispiel. / „…“, sagt Landrat Max Muster. /
// Landrat Max Muster betont: „…“ / Erika Beispiel: „…“

import { execAll } from './patterns';
import { isAbbreviationWord, splitSentences } from './sentences';

export interface Quote {
  /** The quoted words, without the quotation marks. */
  text: string;
  /** Who said it, as written ("Bürgermeisterin Dr. Erika Beispiel"), or null. */
  speaker: string | null;
  /** The word introducing the attribution ("so", "sagt", "betont"), or null. */
  verb: string | null;
}

const QUOTE = /„([^“”„]{2,}?)[“”]|"([^"\n]{2,}?)"|»([^«»]{2,}?)«|‚([^‘’‚]{2,}?)[‘’]/gu;
const VERBS =
  'so|sagt|sagte|sagen|sagten|erklärt|erklärte|betont|betonte|ergänzt|ergänzte|meint|meinte|unterstreicht|unterstrich|' +
  'kommentiert|kommentierte|berichtet|berichtete|resümiert|resümierte|erläutert|erläuterte|bekräftigt|bekräftigte|' +
  'freut sich|freute sich|fasst zusammen|fügt hinzu|fügte hinzu|hebt hervor|hob hervor|führt aus|führte aus|schildert|' +
  'schilderte|weiß|stellt klar|stellte klar|zeigt sich überzeugt|appelliert|appellierte|mahnt|mahnte|warnt|warnte|' +
  'fordert|forderte|verspricht|versprach|lobt|lobte|dankt|dankte|bilanziert|bilanzierte';
/** After the quote: „…“, so X. / „…“, sagt X, „…“ */
const AFTER = new RegExp(`^\\s*[,–—-]?\\s*(${VERBS})\\s+(.+)$`, 'u');
/** Before the quote: X sagt: „ / X betont in seiner Rede: „ */
const BEFORE = new RegExp(`\\s(${VERBS})(?:\\s[^:„"»]{0,40})?:\\s*$`, 'u');
/** The attribution after a quote, as the whole text between two quotes: ", sagt X. " */
const ATTRIBUTION_ONLY = new RegExp(`^\\s*[,–—-]?\\s*(?:${VERBS})\\s[^„"»]*$`, 'u');
const NAME_BEFORE = /(?:^|[.!?]\s+)((?:\p{Lu}[\p{L}\p{M}.-]*\s?){1,6}):\s*$/u;
/** Words that end an attribution: function words of the sentence going on. */
const SPEAKER_STOP = /^(?:und|der|die|das|den|dem|des|bei|beim|im|in|am|auf|während|nachdem|als|mit|zur|zum|vor)$/u;

export function findQuotes(text: string): Quote[] {
  if (!/[„"»‚]/u.test(text)) return [];
  const quotes: Quote[] = [];
  let lastEnd = -1;
  let lastSpeaker: Quote | null = null;
  for (const m of execAll(QUOTE, text)) {
    const inner = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim();
    // A single quoted word or a short name ("„Like“") is emphasis, not a quote.
    if (inner.split(/\s+/).length < 3) continue;
    const at = m.index;
    const end = at + m[0].length;
    let quote: Quote = { text: inner, speaker: null, verb: null };
    const after = AFTER.exec(text.slice(end, end + 200));
    if (after) quote = { ...quote, verb: after[1] ?? null, speaker: speakerFrom(after[2] ?? '') };
    if (!quote.speaker) quote = { ...quote, ...speakerBefore(text.slice(Math.max(0, at - 240), at)) };
    // „…“, sagt X. „…“ — the next quote after nothing but the attribution is the same speaker's.
    const gap = text.slice(lastEnd, at);
    if (!quote.speaker && lastSpeaker && ATTRIBUTION_ONLY.test(gap) && splitSentences(gap).length <= 1) {
      quote = { ...quote, speaker: lastSpeaker.speaker, verb: lastSpeaker.verb };
    }
    quotes.push(quote);
    lastSpeaker = quote.speaker ? quote : null;
    lastEnd = end;
  }
  return quotes;
}

/** "Kreistagsmitglied Sabine Beispiel, stellv. Vorsitzende des Ausschusses, betont: „" */
function speakerBefore(before: string): { speaker: string | null; verb: string | null } {
  const said = BEFORE.exec(before);
  if (said) {
    const sentence = splitSentences(before.slice(0, said.index)).pop() ?? '';
    const speaker = sentence.replace(/[,;–—-]\s*$/u, '').trim();
    return speaker.length >= 3 && speaker.length <= 160 ? { speaker, verb: said[1] ?? null } : { speaker: null, verb: null };
  }
  const named = NAME_BEFORE.exec(before);
  return { speaker: named?.[1]?.trim() ?? null, verb: null };
}

/** "Bürgermeisterin Dr. Erika Beispiel, „dass …" → "Bürgermeisterin Dr. Erika Beispiel". */
function speakerFrom(rest: string): string | null {
  const words: string[] = [];
  for (const word of rest.split(/\s+/)) {
    // "sagt die Vorsitzende Maria Beispiel": an article may open the attribution, not go on in it.
    if (word === '' || /^[„"»]/u.test(word) || (words.length > 0 && SPEAKER_STOP.test(word))) break;
    const bare = word.replace(/[,;:.!?]+$/u, '');
    const abbreviation = isAbbreviationWord(word.replace(/[,;:]+$/u, ''));
    words.push(abbreviation ? word.replace(/[,;:]+$/u, '') : bare);
    if (words.length >= 12) break;
    if (!abbreviation && /[,;:.!?)]$/u.test(word)) break;
  }
  // "sagt die Vorsitzende Maria Beispiel" → "Vorsitzende Maria Beispiel"
  const speaker = words.join(' ').replace(/^(?:der|die|das)\s+/u, '').trim();
  return speaker === '' ? null : speaker;
}
