// The shapes of the parts of a German press release, in one place: datelines, embargo lines,
// agency codes, closing blocks, and the contact data the social posts must never carry.
// Every pattern here is anchored or bounded so that a 3 KB release is scanned in microseconds.

const MONTH_NAMES =
  'Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|' +
  'Jan\\.|Feb\\.|Mär\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept?\\.|Okt\\.|Nov\\.|Dez\\.';
const WEEKDAYS = '(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|Mo\\.|Di\\.|Mi\\.|Do\\.|Fr\\.|Sa\\.|So\\.),?\\s';

/** "12.03.2024", "12.3.24", "06. 09. 2012", "8. November 2004", "im März 2024", "2024-03-12". */
export const DATE_SOURCE =
  `(?:${WEEKDAYS})?(?:\\d{1,2}\\.\\s?\\d{1,2}\\.\\s?(?:\\d{4}|\\d{2})(?!\\d)|\\d{1,2}\\.\\s?(?:${MONTH_NAMES})(?:\\s\\d{4})?|im\\s(?:${MONTH_NAMES})\\s\\d{4}|\\d{4}-\\d{2}-\\d{2})`;

/** A month name, written out or abbreviated, possibly followed by punctuation. */
export const MONTH_WORD =
  /^(?:Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sept?|Okt|Nov|Dez)\.?[,;:]?$/u;

/** Words that start sentences, never place names: "Am Montag, 12.03.2024, …" is no dateline. */
const NOT_A_PLACE =
  '(?!(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag|Anfang|Ende|Mitte)(?![\\p{L}]))(?!(?:Am|Im|Ab|An|Auf|Aus|Bei|Bis|Da|Dann|Das|Dem|Den|Der|Des|Die|Ein|Eine|Er|Es|Für|Gestern|Heute|Ihr|In|Mit|Morgen|Nach|Seit|Sie|Über|Um|Unter|Vom|Von|Vor|Wir|Zum|Zur)\\s)';
/** "Musterstadt", "Frankfurt am Main", "Halle (Saale)", "Berlin/Potsdam", "Bad Homburg v. d. Höhe". */
const PLACE = `${NOT_A_PLACE}\\p{Lu}[\\p{L}\\p{M}'’.\\-]*(?:(?:\\s|/|-)(?:\\p{Lu}[\\p{L}\\p{M}'’.\\-]*|am|an|der|den|im|in|ob|bei|vor|auf|a\\.|d\\.|i\\.|v\\.|\\(\\p{L}[\\p{L}\\p{M} .]*\\))){0,4}`;
const AGENCY = '\\((ots|dpa|epd|kna|afp|ap|ddp|idw|red|pm|lifepr|openpr)(?:\\s?\\/\\s?[^)\\n]{1,40})?\\)';

/**
 * A dateline at the start of a line: "Musterstadt, 12.03.2024 –", "Magdeburg, den 8. November
 * 2004.", "Rostock (ots) -", "Berlin (dpa/lbn) –". Groups: place, date, agency.
 */
export const DATELINE_BODY =
  `(${PLACE})(?:\\s?${AGENCY}(?:,?\\s(?:den\\s|am\\s)?(${DATE_SOURCE}))?|,\\s?(?:den\\s|am\\s)?(${DATE_SOURCE})(?:\\s?${AGENCY})?)` +
    // What ends a dateline: a dash, a colon, a full stop before the next sentence, or the line end.
    `(?:\\s?[–—-]+\\s*|:\\s*|\\.\\s+(?=\\p{Lu}|„)|\\s*$)`;
export const DATELINE_AT_START = new RegExp(`^${DATELINE_BODY}`, 'u');

/** Presseportal "Blaulicht" codes that open police and fire brigade titles: "POL-HRO: …", "FW-M: …". */
export const AGENCY_CODE = /^(?:(?:POL|POLIZEI|PP|PD|PI|KPI|LPI|BPOL|BPOLI|BPOLD|BPOLP|FW|FF|THW|HZA|ZOLL|LKA|BKA|GZD|KFV|DLRG|BRK|DRK|ASB)-[A-ZÄÖÜ0-9]{1,8}(?:-[A-ZÄÖÜ0-9]{1,6})?):\s*/u;

/** "Sperrfrist: 12.03.2024, 10:00 Uhr", "SPERRFRIST 14. März, 11.00 Uhr", "Embargo: …", "Frei ab …". */
export const EMBARGO_LINE =
  /^(?:[*_]{1,2})?(?:achtung[:!,]?\s*)?(?:sperrfrist|sperrvermerk|embargo|frei(?:gegeben)?\s(?:zur\sveröffentlichung\s)?(?:ab|nach)\b|veröffentlichung\s(?:frei\s)?(?:erst\s)?(?:ab|nicht vor|nach)\b|nicht\s(?:zur\sveröffentlichung\s)?vor\b)/iu;

/** Label lines that only say what kind of text follows: "Pressemitteilung Nr. 12/2024". */
export const LABEL_LINE =
  /^(?:presse-?\s?mitteilung|presse-?\s?information|medien-?\s?information|pressemeldung|pressenotiz|pressedienst|presseerklärung|mitteilung an die presse|zur sofortigen veröffentlichung)(?:\s?(?:nr\.?|no\.?|vom|des|der)?\s?[\d./-]*)?\s*:?$/iu;

/** Page furniture from Word and PDF: "Seite 1 von 3", "- 2 -", "Seite 2/3". */
export const PAGE_LINE = /^(?:seite\s\d{1,3}(?:\s?(?:von|\/)\s?\d{1,3})?|[-–]\s?\d{1,3}\s?[-–])$/iu;

/** Closing blocks that always start the end matter of a release. */
export const STRONG_CLOSING =
  /^(?:presse-?\s?kontakte?|medien-?\s?kontakte?|kontakt für (?:die )?(?:medien|presse|journalist\p{L}*)|kontaktdaten|impressum|v\.\s?i\.\s?s\.\s?d\.\s?p\.?|verantwortlich im sinne des presserechts|original-?\s?content von|ots:|newsroom(?: via rss)?:|weiteres material:|pressemappe:)(?![\p{L}\p{N}])/iu;

/**
 * A word that only end matter carries, anywhere in a text: a sentence that holds one is no part
 * of a lead ("… Termine am Impressum Stadt Musterstadt, Rathausplatz 1" in a one-line paste).
 */
export const END_MATTER_WORD =
  /(?<![\p{L}\p{N}])(?:presse-?\s?kontakte?|impressum|v\.\s?i\.\s?s\.\s?d\.\s?p|verantwortlich im sinne des presserechts|original-?\s?content von|ots:|newsroom:|weiteres material:|news aktuell)(?![\p{L}\p{N}])/iu;
/** Cheap ASCII pre-test for END_MATTER_WORD. */
export const MAY_HAVE_END_MATTER_WORD = /kontakt|impressum|v\.\s?i\.|verantwortlich|content|ots:|newsroom|material:|aktuell/i;

/**
 * Openers that are also ordinary sentence starts ("Kontakt zu Bürgern ist …"): they start the
 * end matter only as a label (alone or with a colon soon after) or when the block holds contact
 * data.
 */
export const WEAK_CLOSING =
  /^(?:kontakt|(?:f(?:ü|ue)r|bei) rückfragen|rückfragen|ansprechpartner(?:in|innen|\/in|\*in|:in)?|ansprechperson(?:en)?|ihre? ansprechpartner(?:in)?|pressestelle|presseanfragen|medienanfragen|(?:weitere )?auskünfte?(?: erteilt)?|herausgeber(?:in)?|verantwortlich|redaktion)(?![\p{L}\p{N}])/iu;

/** Which kind of end matter a closing opener starts. */
export function closingKind(opener: string): 'contact' | 'imprint' | 'agency' {
  if (/^(?:original-?\s?content|ots:|newsroom|weiteres material|pressemappe)/iu.test(opener)) return 'agency';
  if (/^(?:impressum|v\.\s?i\.|verantwortlich|herausgeber|redaktion)/iu.test(opener)) return 'imprint';
  return 'contact';
}

/** Lines of a news-agency footer: they mean nothing on the organisation's own site. */
export const AGENCY_FOOTER_LINE =
  /^(?:original-?\s?content von|ots:|newsroom(?: via rss)?:|weiteres material:|pressemappe:|medieninhalte?:?$|alle meldungen (?:de[rs]|von)|quelle: ots)/iu;

/** "Über die Stadtwerke Musterstadt", "Über uns", "Zum Unternehmen": the boilerplate heading. */
export const BOILERPLATE_HEADING =
  /^(?:über\s(?:uns|die|den|das|dem|der|\p{Lu})[^.!?]{0,80}|zum unternehmen|zur (?:stadt|gemeinde|hochschule|universität)\s?[^.!?]{0,60}|unternehmensprofil|das unternehmen)\s*:?$/iu;

/** The "@" of an e-mail address, also the "(at)" spelling used against harvesters. */
const AT_SIGN = /@|\s?[[(]at[\])]\s?/gi;
const LOCAL_PART_CHAR = /[\p{L}\p{N}._%+-]/u;
const DOMAIN_AFTER_AT = /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;

export interface Found {
  index: number;
  text: string;
}

/**
 * E-mail addresses, found from their "@" outwards. A pattern that starts anywhere in the text
 * would try every letter of a 3 KB release as the start of an address.
 */
export function findEmailAddresses(text: string): Found[] {
  const found: Found[] = [];
  for (const at of execAll(AT_SIGN, text)) {
    let start = at.index;
    while (start > 0 && LOCAL_PART_CHAR.test(text[start - 1] ?? '')) start--;
    if (start === at.index) continue;
    const domain = DOMAIN_AFTER_AT.exec(text.slice(at.index + at[0].length, at.index + at[0].length + 255));
    if (!domain) continue;
    const end = at.index + at[0].length + domain[0].length;
    if (found.length > 0 && (found.at(-1)?.index ?? -1) + (found.at(-1)?.text.length ?? 0) > start) continue;
    found.push({ index: start, text: text.slice(start, end) });
  }
  return found;
}

/**
 * International (+49 …) or German trunk-prefixed (030 …, (030) …) numbers. A number never ends
 * in a lone digit after a space: "Tel. 2025 1. April" is a year and a date.
 */
export const PHONE_GLOBAL =
  /(?<!(?:Nr|Nummer|Az|Aktenzeichen|Drucksache|Drs|Vorlage)\.?\s?)(?:\+\d{1,3}[ \t\-/]?(?:\(0\)[ \t]?)?\(?\d|\(0\d{1,5}\)[ \t]?\d|(?<![\p{L}\p{N}.,:])0\d{1,5}[ \t\-/]*\d)[\d \t\-/]{3,}(?:\d\d|-\d)/gu;
/** A number behind a label: "Tel.: 12 34 56", "Fax 0221 12345", "Mobil: +49 …". */
export const LABELLED_PHONE_GLOBAL =
  /(?<![\p{L}])(tel|telefon|telefax|fax|mobil|handy|phone|hotline|rufnummer)\.?\s*:?\s*(\+?\(?\d[\d \t\-/()]{3,}(?:\d\d|-\d))/giu;
/** "06/09/2012" has the shape of a number with a trunk prefix but is a date. */
export const SLASH_DATE = /^\d{1,2}\/\d{1,2}\/\d{2,4}$/;

/** IBAN candidates; checked with the mod-97 test before they count. */
export const IBAN_GLOBAL = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b/g;

/**
 * http(s) URLs, "www." addresses, and bare domains with a common TLD ("musterstadt.de/abfall").
 * Deliberately not a Unicode pattern: it scans whole releases, and V8 runs this shape natively.
 */
export const URL_GLOBAL =
  /https?:\/\/[^\s<>"'„“”»«]+|(?<![\w@./-])www\.[\wäöüÄÖÜß-]+(?:\.[\wäöüÄÖÜß-]+)+(?:\/[^\s<>"'„“”»«]*)?|(?<![\w@./:-]|\(at\)\s?|\[at\]\s?)(?:[a-z0-9äöüß][a-z0-9äöüß-]*\.)+(?:de|at|ch|eu|com|org|net|info|berlin|hamburg|bayern|nrw|koeln|ruhr|saarland|online|digital|gov|edu)(?:\/[^\s<>"'„“”»«]*)?(?![\wäöüß])/gi;

/** Public e-mail services: an address there is a private one, not an office's. */
export const PRIVATE_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'web.de', 'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'gmx.com', 't-online.de',
  'yahoo.com', 'yahoo.de', 'hotmail.com', 'hotmail.de', 'outlook.com', 'outlook.de', 'live.de', 'live.com',
  'icloud.com', 'me.com', 'aol.com', 'aol.de', 'freenet.de', 'arcor.de', 'posteo.de', 'mailbox.org', 'online.de',
  'email.de', 'vodafone.de', 'mail.de', 'protonmail.com', 'proton.me', 'kabelmail.de',
]);

/** A line opening with a pictograph and a space: an emoji bullet ("📅 Samstag, 10 Uhr"). */
export const EMOJI_BULLET = /^[ \t]{0,3}(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|\p{EMod})*)[ \t]+(?=\S)/u;

/** Trailing punctuation that belongs to the sentence, not to a URL or an address. */
export function trimTrailingPunctuation(text: string): string {
  let t = text.replace(/[.,;:!?…"'“”»«)\]]+$/u, '');
  // Keep a closing bracket that has its opening partner inside the URL (Wikipedia style).
  if (text.length > t.length && /\)/.test(text.slice(t.length)) && (t.match(/\(/g)?.length ?? 0) > (t.match(/\)/g)?.length ?? 0)) {
    t += ')';
  }
  return t;
}

/**
 * All matches of a global pattern. String.prototype.matchAll copies the RegExp for every call,
 * which for these Unicode patterns means compiling them again: on a 3 KB release that alone took
 * most of the parse time.
 */
export function execAll(pattern: RegExp, text: string): RegExpExecArray[] {
  const matches: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    matches.push(m);
    if (m[0] === '') pattern.lastIndex++;
  }
  pattern.lastIndex = 0;
  return matches;
}
