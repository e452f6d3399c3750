// Warning catalogue of the splitter. The code is the stable contract (UI and API branch on it,
// never on the text); the message is for the press officer, German by default.

import type { ChannelType, Warning, WarningSeverity } from '../types';

export const SPLIT_WARNING_CODES = [
  'TEXT_TRUNCATED_TO_THREAD',
  'SENTENCE_SPLIT',
  'WORD_SPLIT',
  'NO_ARTICLE_LINK',
  'INVALID_ARTICLE_LINK',
  'NO_LEAD',
  'LEAD_SHORTENED',
  'HASHTAGS_DROPPED',
  'MEDIA_ALT_MISSING',
  'MEDIA_ALT_TOO_LONG',
  'MEDIA_TOO_MANY',
  'EMPTY_POST',
  'LIMIT_EXCEEDED',
] as const;
export type SplitWarningCode = (typeof SPLIT_WARNING_CODES)[number];

export type WarningLanguage = 'de' | 'en';

export interface WarningParams {
  channel?: ChannelType;
  parts?: number;
  length?: number;
  limit?: number;
  count?: number;
  index?: number;
}

/** `error` blocks submit; everything the editor may knowingly accept is a `warning`. */
const SEVERITY: Record<SplitWarningCode, WarningSeverity> = {
  TEXT_TRUNCATED_TO_THREAD: 'warning',
  SENTENCE_SPLIT: 'warning',
  WORD_SPLIT: 'warning',
  NO_ARTICLE_LINK: 'warning',
  INVALID_ARTICLE_LINK: 'error',
  NO_LEAD: 'warning',
  LEAD_SHORTENED: 'warning',
  HASHTAGS_DROPPED: 'warning',
  MEDIA_ALT_MISSING: 'error',
  MEDIA_ALT_TOO_LONG: 'error',
  MEDIA_TOO_MANY: 'error',
  EMPTY_POST: 'error',
  LIMIT_EXCEEDED: 'error',
};

const CHANNEL_NAMES: Record<ChannelType, string> = {
  blog: 'Blog',
  wordpress: 'WordPress',
  facebook: 'Facebook',
  twitter: 'X (Twitter)',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
};

type Catalogue = Record<SplitWarningCode, (p: WarningParams, channel: string) => string>;

const DE: Catalogue = {
  TEXT_TRUNCATED_TO_THREAD: (p, ch) =>
    `Der Text passt nicht in einen einzelnen Beitrag auf ${ch} und wurde als Thread mit ${p.parts ?? 2} Teilen angelegt.`,
  SENTENCE_SPLIT: (_p, ch) =>
    `Ein Satz wurde auf zwei Beiträge des Threads auf ${ch} verteilt (an einem Satzzeichen oder zwischen zwei Wörtern). Bitte prüfen Sie den Thread.`,
  WORD_SPLIT: (p, ch) =>
    `Ein Wort oder Link ist länger als ein ganzer Beitrag auf ${ch} (${p.limit ?? '?'} Zeichen) und musste mitten im Wort geteilt werden.`,
  NO_ARTICLE_LINK: (_p, ch) => `Der Beitrag für ${ch} enthält keinen Link zum Artikel.`,
  INVALID_ARTICLE_LINK: (_p, ch) =>
    `Der Link zum Artikel für ${ch} ist keine gültige http(s)-Adresse und wurde nicht übernommen.`,
  NO_LEAD: (_p, ch) =>
    `Im Text wurde kein Einleitungsabsatz gefunden; der Beitrag für ${ch} enthält nur den Titel.`,
  LEAD_SHORTENED: (_p, ch) =>
    `Der Einleitungsabsatz ist zu lang für ${ch} und wurde nach dem letzten vollständigen Satz gekürzt.`,
  HASHTAGS_DROPPED: (p, ch) =>
    `${p.count ?? 1} Hashtag(s) passten nicht mehr in den Beitrag für ${ch} und wurden weggelassen.`,
  MEDIA_ALT_MISSING: (p) =>
    `Bild ${p.index ?? 1}: Der Alternativtext fehlt. Jedes Bild braucht eine Bildbeschreibung, bevor die Pressemitteilung eingereicht werden kann.`,
  MEDIA_ALT_TOO_LONG: (p, ch) =>
    `Bild ${p.index ?? 1}: Der Alternativtext ist länger als die ${p.limit ?? '?'} Zeichen, die ${ch} erlaubt.`,
  MEDIA_TOO_MANY: (p, ch) =>
    `${ch} erlaubt höchstens ${p.limit ?? '?'} Bilder pro Beitrag; angehängt sind ${p.count ?? '?'}.`,
  EMPTY_POST: (_p, ch) => `Der Beitrag für ${ch} ist leer.`,
  LIMIT_EXCEEDED: (p, ch) =>
    `Der Beitrag für ${ch} ist mit ${p.length ?? '?'} Zeichen länger als erlaubt (${p.limit ?? '?'}).`,
};

const EN: Catalogue = {
  TEXT_TRUNCATED_TO_THREAD: (p, ch) =>
    `The text does not fit into a single post on ${ch} and was made into a thread of ${p.parts ?? 2} parts.`,
  SENTENCE_SPLIT: (_p, ch) =>
    `A sentence was spread over two posts of the thread on ${ch} (at a punctuation mark or between two words). Please check the thread.`,
  WORD_SPLIT: (p, ch) =>
    `A word or link is longer than a whole post on ${ch} (${p.limit ?? '?'} characters) and had to be split inside the word.`,
  NO_ARTICLE_LINK: (_p, ch) => `The post for ${ch} contains no link to the article.`,
  INVALID_ARTICLE_LINK: (_p, ch) => `The article link for ${ch} is not a valid http(s) address and was left out.`,
  NO_LEAD: (_p, ch) => `No lead paragraph was found; the post for ${ch} contains only the title.`,
  LEAD_SHORTENED: (_p, ch) =>
    `The lead paragraph is too long for ${ch} and was shortened after the last complete sentence.`,
  HASHTAGS_DROPPED: (p, ch) => `${p.count ?? 1} hashtag(s) did not fit into the post for ${ch} and were left out.`,
  MEDIA_ALT_MISSING: (p) =>
    `Image ${p.index ?? 1}: the alt text is missing. Every image needs a description before the release can be submitted.`,
  MEDIA_ALT_TOO_LONG: (p, ch) =>
    `Image ${p.index ?? 1}: the alt text is longer than the ${p.limit ?? '?'} characters ${ch} allows.`,
  MEDIA_TOO_MANY: (p, ch) => `${ch} allows at most ${p.limit ?? '?'} images per post; ${p.count ?? '?'} are attached.`,
  EMPTY_POST: (_p, ch) => `The post for ${ch} is empty.`,
  LIMIT_EXCEEDED: (p, ch) =>
    `The post for ${ch} has ${p.length ?? '?'} characters, more than allowed (${p.limit ?? '?'}).`,
};

const CATALOGUES: Record<WarningLanguage, Catalogue> = { de: DE, en: EN };

export function warningMessage(code: SplitWarningCode, lang: WarningLanguage = 'de', params: WarningParams = {}): string {
  const channel = params.channel ? CHANNEL_NAMES[params.channel] : lang === 'de' ? 'diesen Kanal' : 'this channel';
  return CATALOGUES[lang][code](params, channel);
}

export function makeWarning(code: SplitWarningCode, params: WarningParams = {}): Warning {
  return { code, message: warningMessage(code, 'de', params), severity: SEVERITY[code] };
}
