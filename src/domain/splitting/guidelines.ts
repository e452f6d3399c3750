// The organisation's Social-Media-Guidelines as data, and the checks that hold every post to
// them. Guideline breaches are errors (submit waits for an edit); personal data, images without
// alt text and plain-http links are warnings a person looks at.

import { ARTICLE_CHANNELS, type ChannelType, type PostContent, type Warning } from '../types';
import { closingStart, findEmails, findIbans, findPhoneNumbers } from './contact';
import { toCamelCaseHashtag } from './hashtags';
import { decodeEntities } from './plain-text';
import { execAll, PRIVATE_MAIL_DOMAINS, trimTrailingPunctuation } from './patterns';
import { makeWarning, type SplitWarningCode, type WarningParams } from './warnings';

export interface Guidelines {
  /** Phrases no post may contain (whole words, any case): "alternativlos", "Bürger*innen". */
  bannedPhrases?: string[];
  /** A hashtag every social post carries, e.g. "Musterstadt" → "#Musterstadt". */
  requiredHashtag?: string;
  /** Text every social post ends with, e.g. "^MS". */
  signature?: string;
  /** At most this many hashtags per post (the required one included). */
  maxHashtags?: number;
  /** Keywords that become CamelCase hashtags on Mastodon when the release is about them. */
  hashtags?: string[];
}

/**
 * The guidelines from an organisation's stored policy ({ guidelines: {…} }), keeping only fields
 * of the right type: the policy is JSON that older versions of Herold wrote too.
 */
export function guidelinesFromPolicy(policy: unknown): Guidelines | undefined {
  const raw = isRecord(policy) ? policy.guidelines : undefined;
  if (!isRecord(raw)) return undefined;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const string = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const guidelines: Guidelines = {
    bannedPhrases: strings(raw.bannedPhrases),
    requiredHashtag: string(raw.requiredHashtag),
    signature: string(raw.signature),
    maxHashtags: typeof raw.maxHashtags === 'number' ? raw.maxHashtags : undefined,
    hashtags: strings(raw.hashtags),
  };
  return Object.fromEntries(Object.entries(guidelines).filter(([, v]) => v !== undefined)) as Guidelines;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HASHTAG = /(?<![\p{L}\p{N}_&/#])#[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*/gu;

export function hashtagsIn(text: string): string[] {
  return text.includes('#') ? execAll(HASHTAG, text).map((m) => m[0]) : [];
}

/** The required hashtag, CamelCase, or null. */
export function requiredHashtag(guidelines: Guidelines | undefined): string | null {
  const wanted = guidelines?.requiredHashtag;
  if (!wanted) return null;
  if (wanted !== lastRequired.input) lastRequired = { input: wanted, tag: toCamelCaseHashtag(wanted) };
  return lastRequired.tag;
}

let lastRequired: { input: string; tag: string | null } = { input: '', tag: null };

/** The maximum from the guidelines, or null when there is none (or it is not a count). */
export function maxHashtags(guidelines: Guidelines | undefined): number | null {
  const max = guidelines?.maxHashtags;
  return max !== undefined && Number.isInteger(max) && max >= 0 ? max : null;
}

/**
 * Keywords the release is about: each word of the keyword begins a word of the title or the
 * message ("Kita" matches "Kitas", "social media" needs both words).
 */
export function relevantKeywords(keywords: readonly string[] | undefined, messageText: string): string[] {
  return (keywords ?? []).filter((keyword) => {
    const patterns = keywordPatterns(keyword);
    return patterns.length > 0 && patterns.every((p) => p.test(messageText));
  });
}

/** The organisation's keywords come back with every release: their patterns are kept. */
const keywordCache = new Map<string, RegExp[]>();

function keywordPatterns(keyword: string): RegExp[] {
  let patterns = keywordCache.get(keyword);
  if (!patterns) {
    if (keywordCache.size >= 500) keywordCache.clear();
    patterns = keyword
      .toLocaleLowerCase('de')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w !== '')
      .map((w) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(w)}`, 'u'));
    keywordCache.set(keyword, patterns);
  }
  return patterns;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const phraseCache = new WeakMap<readonly string[], { phrase: string; pattern: RegExp }[]>();

function bannedPatterns(phrases: readonly string[]): { phrase: string; pattern: RegExp }[] {
  let patterns = phraseCache.get(phrases);
  if (!patterns) {
    patterns = phrases
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((phrase) => ({
        phrase,
        pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(phrase).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}])`, 'iu'),
      }));
    phraseCache.set(phrases, patterns);
  }
  return patterns;
}

/** What a post shows, as plain text: social parts one after another, or the article's text. */
export function visibleText(content: PostContent): string {
  const parts = content.thread && content.thread.length > 0 ? content.thread : content.text !== undefined ? [content.text] : [];
  const html = content.html ? htmlToText(content.html) : '';
  return [content.title ?? '', ...parts, html].filter((p) => p !== '').join('\n');
}

export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<br\s*\/?>|<\/(?:p|li|h\d|blockquote|ul|ol)>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  );
}

/** A breach of the organisation's guidelines: a warning code and what its message names. */
export interface GuidelineFinding {
  code: Extract<SplitWarningCode, `GUIDELINE_${string}`>;
  params: WarningParams;
}

/** The organisation's rules: banned phrases everywhere; hashtag, signature and count on social posts. */
export function guidelineWarnings(channel: ChannelType, content: PostContent, guidelines: Guidelines | undefined): Warning[] {
  return guidelineFindings(channel, content, guidelines).map((f) => makeWarning(f.code, f.params));
}

/** As guidelineWarnings, with the parameters kept, so a message can be given in any language. */
export function guidelineFindings(channel: ChannelType, content: PostContent, guidelines: Guidelines | undefined): GuidelineFinding[] {
  if (!guidelines) return [];
  const findings: GuidelineFinding[] = [];
  const text = visibleText(content);
  for (const { phrase, pattern } of bannedPatterns(guidelines.bannedPhrases ?? [])) {
    const found = pattern.exec(text);
    if (found) findings.push({ code: 'GUIDELINE_BANNED_PHRASE', params: { channel, text: found[0] || phrase } });
  }
  if (ARTICLE_CHANNELS.includes(channel)) return findings;
  const tags = hashtagsIn(text);
  const required = requiredHashtag(guidelines);
  if (required && !tags.some((t) => t.toLocaleLowerCase('de') === required.toLocaleLowerCase('de'))) {
    findings.push({ code: 'GUIDELINE_HASHTAG_MISSING', params: { channel, text: required } });
  }
  const signature = guidelines.signature?.trim();
  if (signature && !text.includes(signature)) findings.push({ code: 'GUIDELINE_SIGNATURE_MISSING', params: { channel, text: signature } });
  const max = maxHashtags(guidelines);
  if (max !== null) {
    const parts = content.thread && content.thread.length > 0 ? content.thread : [content.text ?? ''];
    const most = Math.max(0, ...parts.map((p) => hashtagsIn(p).length));
    if (most > max) findings.push({ code: 'GUIDELINE_TOO_MANY_HASHTAGS', params: { channel, count: most, limit: max } });
  }
  return findings;
}

/**
 * Personal data in what a channel publishes. `message` is the text outside the press contact:
 * a phone number there is worth a look, in the contact block it is expected. Private e-mail
 * addresses and IBANs are worth a look anywhere.
 */
export function personalDataWarnings(channel: ChannelType, message: string, endMatter = ''): Warning[] {
  const warnings: Warning[] = [];
  const all = endMatter === '' ? message : `${message}\n${endMatter}`;
  for (const email of new Set(findEmails(all))) {
    const domain = email.split(/@|\s?[[(]at[\])]\s?/i)[1]?.toLowerCase() ?? '';
    if (PRIVATE_MAIL_DOMAINS.has(domain)) warnings.push(makeWarning('PERSONAL_EMAIL', { channel, text: email }));
  }
  for (const number of new Set(findPhoneNumbers(message).map((p) => p.number))) {
    warnings.push(makeWarning('PERSONAL_PHONE', { channel, text: number }));
  }
  for (const iban of new Set(findIbans(all))) warnings.push(makeWarning('PERSONAL_IBAN', { channel, text: iban }));
  return warnings;
}

/** Splits an article's text at its first contact or imprint line, for personalDataWarnings. */
export function splitAtEndMatter(text: string): { message: string; endMatter: string } {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => closingStart(line.trim(), line) !== null);
  if (at === -1) return { message: text, endMatter: '' };
  return { message: lines.slice(0, at).join('\n'), endMatter: lines.slice(at).join('\n') };
}

/** Links a reader would follow over plain http. */
export function insecureLinkWarnings(channel: ChannelType, links: readonly string[]): Warning[] {
  const seen = new Set<string>();
  const warnings: Warning[] = [];
  for (const raw of links) {
    const link = trimTrailingPunctuation(raw);
    if (!/^http:\/\//i.test(link) || seen.has(link)) continue;
    seen.add(link);
    warnings.push(makeWarning('INSECURE_LINK', { channel, text: link }));
  }
  return warnings;
}

/** http links in a post: in the text of social posts, in the hrefs of an article. */
export function linksOf(content: PostContent): string[] {
  const links: string[] = [];
  if (content.html) for (const m of content.html.matchAll(/href="([^"]*)"/g)) links.push(decodeEntities(m[1] ?? ''));
  const parts = content.thread && content.thread.length > 0 ? content.thread : content.text !== undefined ? [content.text] : [];
  for (const part of parts) for (const m of part.matchAll(/https?:\/\/\S+/gi)) links.push(m[0]);
  if (content.link) links.push(content.link);
  return links;
}
