// The lead: the first paragraph that carries the message, as a press officer would post it.
// Title, dateline and labels are not part of it; contact data rules a paragraph out; a first
// paragraph that runs on (a release pasted as one line) is cut after a whole sentence.

import { containsContactData, endMatterAt } from './contact';
import { isBoilerplateLine } from './noise';
import { isAbbreviationWord, splitSentences, splitWords } from './sentences';

/** Shorter text is an organisation name, a label or a caption, not a lead. */
export const MIN_LEAD_LENGTH = 60;
/** A lead longer than this ran on; it is cut after the last whole sentence within it. */
export const MAX_LEAD_LENGTH = 600;

/**
 * The lead text of a candidate paragraph (dateline already removed), or null if the paragraph
 * cannot be the lead. A title the paste put on the same line is dropped.
 */
export function leadText(candidate: string, title: string | null): { text: string; shortened: boolean } | null {
  let text = candidate.trim();
  if (title && title.length >= 10 && text.startsWith(title)) {
    const rest = text.slice(title.length);
    if (/^\s+[\p{Lu}„"]/u.test(rest)) text = rest.trim();
  }
  if (text.length < MIN_LEAD_LENGTH || isBoilerplateLine(text)) return null;
  const lead = capLead(text);
  return lead.text.length < MIN_LEAD_LENGTH || containsContactData(lead.text) ? null : lead;
}

/**
 * At most MAX_LEAD_LENGTH characters of whole sentences (at least one sentence). When it cuts,
 * it also stops before a quotation: a quote belongs to its speaker, not to the lead. It always
 * ends before the first contact data or word of end matter: in a release pasted as one line,
 * that is where the contact block or the imprint begins, even when nothing but the word marks
 * its start ("… Termine am Impressum Stadt Musterstadt, Rathausplatz 1 …").
 */
export function capLead(text: string): { text: string; shortened: boolean } {
  const end = endMatterAt(text);
  if (end === -1 && text.length <= MAX_LEAD_LENGTH) return { text, shortened: false };
  const sentences = end === -1 ? splitSentences(text) : wholeSentencesBefore(text.slice(0, end));
  let lead = sentences[0] ?? '';
  for (const sentence of sentences.slice(1)) {
    if (lead.length + 1 + sentence.length > MAX_LEAD_LENGTH || /^[„"»‚]/u.test(sentence)) break;
    lead += ` ${sentence}`;
  }
  return { text: lead, shortened: lead.length < text.length };
}

const ENDS_SENTENCE = /[.!?…]["'“”«»‘’)\]]*\s*$/u;

/**
 * The whole sentences of a text cut off where end matter begins. The end matter may begin
 * inside what the segmenter took for one sentence ("… eröffnet. - Kita - am Impressum …", a list
 * run into the line): what ends in a full stop before it is still a whole sentence.
 */
function wholeSentencesBefore(before: string): string[] {
  const sentences = splitSentences(before);
  if (ENDS_SENTENCE.test(before) && !isAbbreviationWord(splitWords(before).at(-1) ?? '')) return sentences;
  const words = splitWords(sentences.pop() ?? '');
  for (let i = words.length - 1; i >= 0; i--) {
    const word = words[i] ?? '';
    if (ENDS_SENTENCE.test(word) && !isAbbreviationWord(word) && !/^\d{1,3}\.$/.test(word)) {
      sentences.push(words.slice(0, i + 1).join(' '));
      break;
    }
  }
  return sentences;
}
