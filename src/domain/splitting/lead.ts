// The lead: the first paragraph that carries the message, as a press officer would post it.
// Title, dateline and labels are not part of it; contact data rules a paragraph out; a first
// paragraph that runs on (a release pasted as one line) is cut after a whole sentence.

import { containsContactData } from './contact';
import { isBoilerplateLine } from './noise';
import { splitSentences } from './sentences';

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
 * it also stops before a quotation: a quote belongs to its speaker, not to the lead.
 */
export function capLead(text: string): { text: string; shortened: boolean } {
  if (text.length <= MAX_LEAD_LENGTH) return { text, shortened: false };
  const sentences = splitSentences(text);
  let lead = sentences[0] ?? text;
  for (const sentence of sentences.slice(1)) {
    if (lead.length + 1 + sentence.length > MAX_LEAD_LENGTH || /^[„"»‚]/u.test(sentence) || containsContactData(sentence)) break;
    lead += ` ${sentence}`;
  }
  return { text: lead, shortened: lead.length < text.length };
}
