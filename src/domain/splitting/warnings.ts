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
  'GUIDELINE_BANNED_PHRASE',
  'GUIDELINE_HASHTAG_MISSING',
  'GUIDELINE_SIGNATURE_MISSING',
  'GUIDELINE_TOO_MANY_HASHTAGS',
  'PERSONAL_EMAIL',
  'PERSONAL_PHONE',
  'PERSONAL_IBAN',
  'IMAGE_ALT_MISSING',
  'INSECURE_LINK',
  'EMBARGO_IN_TEXT',
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
  /** The phrase, hashtag, address or link the warning is about, as written. */
  text?: string;
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
  // The organisation's own rules: submit waits until the post follows them.
  GUIDELINE_BANNED_PHRASE: 'error',
  GUIDELINE_HASHTAG_MISSING: 'error',
  GUIDELINE_SIGNATURE_MISSING: 'error',
  GUIDELINE_TOO_MANY_HASHTAGS: 'error',
  // A person has to look; publishing may still be right (the office's own hotline, a donation account).
  PERSONAL_EMAIL: 'warning',
  PERSONAL_PHONE: 'warning',
  PERSONAL_IBAN: 'warning',
  IMAGE_ALT_MISSING: 'warning',
  INSECURE_LINK: 'warning',
  EMBARGO_IN_TEXT: 'warning',
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
  GUIDELINE_BANNED_PHRASE: (p, ch) =>
    `Der Beitrag für ${ch} enthält „${p.text ?? '?'}“. Diese Formulierung ist nach den Social-Media-Richtlinien Ihrer Organisation nicht erlaubt; bitte formulieren Sie die Stelle um.`,
  GUIDELINE_HASHTAG_MISSING: (p, ch) =>
    `Dem Beitrag für ${ch} fehlt der Hashtag ${p.text ?? '?'}, den die Social-Media-Richtlinien Ihrer Organisation für jeden Beitrag vorschreiben.`,
  GUIDELINE_SIGNATURE_MISSING: (p, ch) =>
    `Dem Beitrag für ${ch} fehlt die Signatur „${p.text ?? '?'}“, die die Social-Media-Richtlinien Ihrer Organisation für jeden Beitrag vorschreiben.`,
  GUIDELINE_TOO_MANY_HASHTAGS: (p, ch) =>
    `Der Beitrag für ${ch} enthält ${p.count ?? '?'} Hashtags; die Social-Media-Richtlinien Ihrer Organisation erlauben höchstens ${p.limit ?? '?'}.`,
  PERSONAL_EMAIL: (p, ch) =>
    `Der Beitrag für ${ch} enthält die private E-Mail-Adresse ${p.text ?? '?'}. Bitte prüfen Sie, ob sie veröffentlicht werden darf, oder nennen Sie eine dienstliche Adresse.`,
  PERSONAL_PHONE: (p, ch) =>
    `Der Beitrag für ${ch} enthält die Telefonnummer ${p.text ?? '?'} außerhalb des Pressekontakts. Bitte prüfen Sie, ob sie veröffentlicht werden darf.`,
  PERSONAL_IBAN: (p, ch) =>
    `Der Beitrag für ${ch} enthält die Bankverbindung ${p.text ?? '?'}. Bitte prüfen Sie, ob sie veröffentlicht werden darf.`,
  IMAGE_ALT_MISSING: (p, ch) =>
    `Ein Bild im Text für ${ch} (${p.text ?? '?'}) hat keinen Alternativtext. Bitte beschreiben Sie es für Menschen, die es nicht sehen können.`,
  INSECURE_LINK: (p, ch) =>
    `Der Beitrag für ${ch} enthält den Link ${p.text ?? '?'} ohne https. Bitte verwenden Sie die https-Adresse.`,
  EMBARGO_IN_TEXT: (p) =>
    `Der Text enthält eine Sperrfrist („${p.text ?? '?'}“). Bitte prüfen Sie, dass der Veröffentlichungszeitpunkt danach liegt; die Zeile selbst wird nicht veröffentlicht.`,
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
  GUIDELINE_BANNED_PHRASE: (p, ch) =>
    `The post for ${ch} contains "${p.text ?? '?'}", which your organisation's social media guidelines do not allow; please rephrase it.`,
  GUIDELINE_HASHTAG_MISSING: (p, ch) =>
    `The post for ${ch} lacks the hashtag ${p.text ?? '?'}, which your organisation's social media guidelines require on every post.`,
  GUIDELINE_SIGNATURE_MISSING: (p, ch) =>
    `The post for ${ch} lacks the signature "${p.text ?? '?'}", which your organisation's social media guidelines require on every post.`,
  GUIDELINE_TOO_MANY_HASHTAGS: (p, ch) =>
    `The post for ${ch} has ${p.count ?? '?'} hashtags; your organisation's social media guidelines allow at most ${p.limit ?? '?'}.`,
  PERSONAL_EMAIL: (p, ch) =>
    `The post for ${ch} contains the private e-mail address ${p.text ?? '?'}. Please check that it may be published, or give an office address.`,
  PERSONAL_PHONE: (p, ch) =>
    `The post for ${ch} contains the phone number ${p.text ?? '?'} outside the press contact. Please check that it may be published.`,
  PERSONAL_IBAN: (p, ch) => `The post for ${ch} contains the bank account ${p.text ?? '?'}. Please check that it may be published.`,
  IMAGE_ALT_MISSING: (p, ch) =>
    `An image in the text for ${ch} (${p.text ?? '?'}) has no alt text. Please describe it for people who cannot see it.`,
  INSECURE_LINK: (p, ch) => `The post for ${ch} contains the link ${p.text ?? '?'} without https. Please use the https address.`,
  EMBARGO_IN_TEXT: (p) =>
    `The text contains an embargo ("${p.text ?? '?'}"). Please make sure the publication time is after it; the line itself is not published.`,
};

const CATALOGUES: Record<WarningLanguage, Catalogue> = { de: DE, en: EN };

export function warningMessage(code: SplitWarningCode, lang: WarningLanguage = 'de', params: WarningParams = {}): string {
  const channel = params.channel ? CHANNEL_NAMES[params.channel] : lang === 'de' ? 'diesen Kanal' : 'this channel';
  return CATALOGUES[lang][code](params, channel);
}

export function makeWarning(code: SplitWarningCode, params: WarningParams = {}): Warning {
  return { code, message: warningMessage(code, 'de', params), severity: SEVERITY[code] };
}
