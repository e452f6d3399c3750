// Golden tests on realistic releases: what the parser recognises in each, and what every channel
// receives. The releases are in test/fixtures/releases/, as they would be pasted: the title is
// the first line of the text and is found by the parser, as the editor's form would prefill it.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composePost, parseRelease, type ClosingKind, type ComposedPost, type Guidelines } from '../../src/domain/splitting';
import type { ChannelType, PostContent, ReleaseText } from '../../src/domain/types';
import { withinLimit } from '../helpers/independent-limits';

const DIR = join(__dirname, '../fixtures/releases');
const read = (file: string): string => readFileSync(join(DIR, file), 'utf8');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
const SOCIAL = ['facebook', 'twitter', 'mastodon', 'bluesky'] as const;
const CHANNELS = ['blog', 'wordpress', ...SOCIAL] as const;

/** The guidelines of the fictional organisation every fixture is composed for. */
const GUIDELINES: Guidelines = {
  requiredHashtag: 'Musterstadt',
  maxHashtags: 3,
  hashtags: ['Kita', 'Radverkehr', 'Feuerwehr', 'Schule', 'Ehrenamt', 'Klimaschutz', 'social media', 'Bürgerbeteiligung', 'Polizei', 'Sport'],
};
const urlFor = (file: string): string => `https://presse.musterstadt.de/2024/${file.replace(/\.txt$/, '')}`;

function releaseOf(file: string): ReleaseText {
  const text = read(file);
  return { title: parseRelease(text).title ?? '', body: text };
}
function compose(file: string, channel: ChannelType, extra: { guidelines?: Guidelines; mastodonMaxChars?: number } = {}): ComposedPost {
  return composePost(releaseOf(file), channel, { articleUrl: urlFor(file), guidelines: GUIDELINES, ...extra });
}
const parts = (c: PostContent): string[] => c.thread ?? (c.text !== undefined ? [c.text] : []);
const codes = (post: ComposedPost): string[] => post.warnings.map((w) => w.code);
const tagsOf = (text: string): string[] => text.match(/#[\p{L}\p{N}_]+/gu) ?? [];


/**
 * A word of a post occurs in the source with no letter or digit glued to either side. Invisible
 * characters (a soft hyphen from Word) do not count as part of the text.
 */
function wholeInSource(word: string, rawSource: string): boolean {
  const source = rawSource.replace(/[\u00ad\u200b\ufeff]/g, '');
  const alnum = /[\p{L}\p{N}]/u;
  for (let at = source.indexOf(word); at !== -1; at = source.indexOf(word, at + 1)) {
    const before = source[at - 1] ?? ' ';
    const after = source[at + word.length] ?? ' ';
    const okBefore = !alnum.test(word[0] ?? '') || !alnum.test(before);
    const okAfter = !alnum.test(word[word.length - 1] ?? '') || !alnum.test(after);
    if (okBefore && okAfter) return true;
  }
  return false;
}

/** Phrases a thread must never cut, found with patterns of their own. */
const PROTECTED = [
  /\b\d{1,2}\. (?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)(?: \d{4})?/gu,
  /\b\d{1,2}[:.]\d{2} Uhr/gu,
  /(?<![\p{L}])(?:[a-zA-Z]\. ){1,2}[a-zA-Z]\./gu,
  /(?<![\p{L}])(?:Dr|Prof|Nr|Tel|Fax|Abs|ca|stellv|Dipl\.-Ing)\. \S+/gu,
  /§ \d+/gu,
  /\b\d[\d.,]* (?:Euro|Prozent|Mio\.|Kilometer)/gu,
];
function cutPhrases(thread: readonly string[], source: string): string[] {
  const spans = PROTECTED.flatMap((p) => [...source.replace(/\s+/g, ' ').matchAll(p)].map((m) => m[0]));
  const bodies = thread.map((p) => p.replace(/ \(\d+\/\d+\)$/, '').split(/\s+/).filter((w) => w !== ''));
  const cut: string[] = [];
  for (let i = 0; i + 1 < bodies.length; i++) {
    const pair = `${bodies[i]?.at(-1) ?? ''} ${bodies[i + 1]?.[0] ?? ''}`;
    cut.push(...spans.filter((s) => s.includes(pair)));
  }
  return cut;
}

describe('every fixture', () => {
  describe.each(FILES)('%s', (file) => {
    const source = read(file);
    const parsed = parseRelease(source);
    const posts = Object.fromEntries(CHANNELS.map((c) => [c, compose(file, c)])) as Record<ChannelType, ComposedPost>;
    const smallMastodon = compose(file, 'mastodon', { mastodonMaxChars: 200 });

    it('has a title and a lead', () => {
      expect(parsed.title).toBeTruthy();
      expect(parsed.lead?.length).toBeGreaterThanOrEqual(60);
    });

    it('keeps every post within its limit, with no error', () => {
      for (const channel of SOCIAL) {
        expect(parts(posts[channel].content).every((p) => withinLimit(channel, p))).toBe(true);
        expect(posts[channel].warnings.filter((w) => w.severity === 'error')).toEqual([]);
      }
      expect(parts(smallMastodon.content).every((p) => withinLimit('mastodon', p, 200))).toBe(true);
      expect(codes(smallMastodon)).not.toContain('LIMIT_EXCEEDED');
    });

    it('emits only whole words of the source, and cuts no date, time, abbreviation or amount', () => {
      for (const post of [...SOCIAL.map((c) => posts[c]), smallMastodon]) {
        const words = parts(post.content)
          .flatMap((p) => p.replace(/ \(\d+\/\d+\)$/, '').split(/\s+/))
          .filter((w) => w !== '' && !w.startsWith('https://presse.musterstadt.de/') && !w.startsWith('#'));
        expect(words.filter((w) => !wholeInSource(w, source))).toEqual([]);
        expect(cutPhrases(parts(post.content), source)).toEqual([]);
        expect(codes(post)).not.toContain('WORD_SPLIT');
      }
    });

    it('keeps contact data, the imprint and agency footers out of every social post', () => {
      const social = SOCIAL.flatMap((c) => parts(posts[c].content)).join('\n');
      for (const email of parsed.emails) expect(social).not.toContain(email);
      for (const phone of parsed.phones) expect(social).not.toContain(phone.number);
      for (const block of parsed.closing) expect(social).not.toContain(block.text.split('\n')[0]);
      expect(social).not.toMatch(/Pressekontakt|Rückfragen|V\.i\.S\.d\.P|Impressum|news aktuell|Original-Content|@/);
    });

    it('links every social post to the article and carries the required hashtag', () => {
      for (const channel of SOCIAL) {
        const text = parts(posts[channel].content).join('\n');
        expect(text).toContain(urlFor(file));
        expect(tagsOf(text)).toContain('#Musterstadt');
        for (const part of parts(posts[channel].content)) expect(tagsOf(part).length).toBeLessThanOrEqual(3);
      }
      // X: the link is in the first part, the one people see.
      expect(posts.twitter.content.thread?.[0]).toContain(urlFor(file));
    });

    it('gives the article everything but the title line, labels and agency footers', () => {
      const html = posts.blog.content.html ?? '';
      expect(posts.blog.content.title).toBe(parsed.title);
      expect(posts.wordpress.content).toEqual(posts.blog.content);
      expect(html).toContain(parsed.lead?.slice(0, 40));
      expect(html).not.toMatch(/news aktuell|newsroom|Seite \d von|SPERRFRIST|Pressemitteilung Nr/);
      for (const email of parsed.emails) expect(html).toContain(email);
    });
  });
});

interface Golden {
  title: string;
  subtitle?: string | null;
  dateline: string | null;
  code?: string | null;
  embargo?: string | null;
  leadStart: string;
  leadEnd: string;
  speakers?: (string | null)[];
  lists?: string[];
  closing: ClosingKind[];
  boilerplate?: number;
  /** Number of posts on X, and on Mastodon (500 characters). */
  twitter: number;
  mastodon: number;
  mastodonTags: string[];
  /** Warning codes on the article and on every social post. */
  blogWarnings?: string[];
  socialWarnings?: Partial<Record<(typeof SOCIAL)[number], string[]>>;
  blogContains?: string[];
}

const GOLDEN: Record<string, Golden> = {
  'stadt-kita-eroeffnung.txt': {
    title: 'Neue Kita „Sonnenblume“ öffnet im Stadtteil Nord',
    subtitle: 'Stadt schafft 95 zusätzliche Betreuungsplätze',
    dateline: 'Musterstadt, 12.03.2024',
    leadStart: 'Die Stadt Musterstadt hat am Montag die neue Kindertagesstätte',
    leadEnd: 'bis zu 95 Kinder im Alter von ein bis sechs Jahren.',
    speakers: ['Oberbürgermeisterin Dr. Erika Beispiel', 'Oberbürgermeisterin Dr. Erika Beispiel'],
    lists: ['ul:4'],
    closing: ['contact'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Kita'],
    blogContains: ['<p class="subtitle">Stadt schafft 95 zusätzliche Betreuungsplätze</p>', '<li>Öffnungszeiten Mo.–Fr. von 6.30 Uhr bis 17.00 Uhr</li>'],
  },
  'polizei-rostock-zeugenaufruf.txt': {
    title: 'Zeugenaufruf nach Verkehrsunfall mit verletzter Radfahrerin in der Südstadt',
    dateline: 'Rostock (ots)',
    code: 'POL-HRO',
    leadStart: 'Am Dienstagnachmittag, dem 5. März 2024, ist es gegen 16:45 Uhr',
    leadEnd: 'Die Polizei sucht Zeugen.',
    closing: ['contact', 'agency', 'agency'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Polizei'],
    // The witness line's number is in the text, and the contact's website is plain http.
    blogWarnings: ['PERSONAL_PHONE', 'INSECURE_LINK'],
    blogContains: ['Rückfragen bitte an:', 'Telefon: 0381 4916-3040'],
  },
  'feuerwehr-wohnungsbrand.txt': {
    title: 'Wohnungsbrand in Mehrfamilienhaus – zwei Personen gerettet',
    dateline: 'Musterstadt (ots)',
    code: 'FW-MS',
    leadStart: 'In der Nacht zu Sonntag ist in einem Mehrfamilienhaus in der Bahnhofstr. ein Feuer ausgebrochen.',
    leadEnd: 'verletzt wurde niemand.',
    speakers: ['Einsatzleiter Brandamtsrat Jan Muster'],
    lists: ['ol:3'],
    closing: ['contact', 'agency'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Feuerwehr'],
    blogContains: ['<ol>\n<li>die Hauptwache mit Löschzug und Drehleiter</li>'],
  },
  'ministerium-sperrfrist-haushalt.txt': {
    title: 'Land investiert 120 Mio. Euro in die Sanierung von Schulen',
    dateline: 'Magdeburg, den 12. März 2024',
    embargo: 'SPERRFRIST: Dienstag, 12. März 2024, 11:00 Uhr',
    leadStart: 'Das Land Sachsen-Anhalt stellt in den kommenden drei Jahren insgesamt 120 Mio. Euro',
    leadEnd: 'auf Vorschlag des Ministeriums für Bildung beschlossen.',
    speakers: ['Bildungsministerin Prof. Dr. Anna Beispiel'],
    closing: ['imprint'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Schule'],
    blogWarnings: ['EMBARGO_IN_TEXT'],
    socialWarnings: { facebook: ['EMBARGO_IN_TEXT'], twitter: ['TEXT_TRUNCATED_TO_THREAD', 'EMBARGO_IN_TEXT'], mastodon: ['EMBARGO_IN_TEXT'], bluesky: ['EMBARGO_IN_TEXT'] },
    blogContains: ['nach § 43 Abs. 2 der Landeshaushaltsordnung', 'V.i.S.d.P.: Dr. Max Muster'],
  },
  'landkreis-radverkehrskonzept.txt': {
    title: 'Kreistag beschließt Radverkehrskonzept: 140 Kilometer neue Radwege bis 2030',
    dateline: 'Landkreis Musterkreis, 21. Februar 2024',
    leadStart: 'Der Kreistag des Landkreises Musterkreis hat in seiner Sitzung am Dienstag',
    leadEnd: 'neu gebaut oder ausgebaut werden.',
    speakers: ['Landrat Max Muster', 'Landrat Max Muster', 'Kreistagsmitglied Sabine Beispiel, stellv. Vorsitzende des Ausschusses für Mobilität'],
    lists: ['ul:4', 'ol:3'],
    closing: ['contact'],
    boilerplate: 1,
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Radverkehr', '#Schule'],
    blogContains: ['<li>Lückenschluss zwischen Neustadt und Altdorf entlang der K 12</li>', 'Über den Landkreis Musterkreis'],
  },
  'stadtwerke-preise-emoji.txt': {
    title: 'Stadtwerke senken Strompreis zum 1. April',
    dateline: 'Musterstadt, 28. Februar 2024',
    leadStart: 'Die Stadtwerke Musterstadt senken zum 1. April 2024 die Strompreise',
    leadEnd: 'spart damit etwa 95 Euro im Jahr.',
    speakers: ['Geschäftsführer Dipl.-Ing. Peter Muster'],
    lists: ['ul:4'],
    closing: ['contact'],
    boilerplate: 1,
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt'],
    blogContains: ['<li>⚡ Der Arbeitspreis sinkt um 3,2 Cent pro Kilowattstunde.</li>', '<li>📬 Alle Kundinnen'],
  },
  'universitaet-forschungspreis.txt': {
    title: 'Forschungspreis für Musterstädter Klimaforscherin',
    subtitle: 'Prof. Dr. Lea Beispiel erhält den Preis der Musterstiftung für ihre Arbeiten zu Stadtbäumen',
    dateline: 'Musterstadt, 8. November 2023',
    leadStart: 'Die Klimaforscherin Prof. Dr. Lea Beispiel von der Universität Musterstadt',
    leadEnd: 'wie Stadtbäume Hitzeinseln in Innenstädten abkühlen.',
    speakers: ['Prof. Dr. Lea Beispiel'],
    closing: ['contact'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt'],
    // The Markdown image has no description.
    blogWarnings: ['IMAGE_ALT_MISSING'],
    blogContains: ['<p class="subtitle">Prof. Dr. Lea Beispiel erhält', '<blockquote>', '<a href="https://www.musterstiftung.example/presse/forschungspreis-2023" rel="noopener">'],
  },
  'einzeilig-webseite-sporthalle.txt': {
    title: 'Neue Dreifeldsporthalle am Schulzentrum Süd eingeweiht',
    dateline: 'Musterstadt, 15.01.2024',
    leadStart: 'Nach zwei Jahren Bauzeit hat die Stadt Musterstadt am Montag',
    // The run-on text is cut after whole sentences, before the quote; the lost space is back.
    leadEnd: 'zur Verfügung. Die Baukosten lagen mit 9,8 Mio. Euro im geplanten Rahmen.',
    speakers: ['Bürgermeister Klaus Muster'],
    closing: ['contact', 'imprint'],
    twitter: 3,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Sport'],
    socialWarnings: { facebook: ['LEAD_SHORTENED'], twitter: ['LEAD_SHORTENED', 'TEXT_TRUNCATED_TO_THREAD'], mastodon: ['LEAD_SHORTENED'], bluesky: [] },
    blogContains: ['<p>Pressekontakt: Stadt Musterstadt, Referat Presse- und Öffentlichkeitsarbeit'],
  },
  'word-paste-dorflaeden.txt': {
    title: 'Neues Förderprogramm für Dorfläden startet',
    dateline: 'Musterkreis, 4. März 2024',
    // The blank line in the middle of the sentence is gone, and so are the double spaces.
    leadStart: 'Der Landkreis Musterkreis unterstützt ab sofort Dorfläden, Hofläden und genossenschaftliche Nahversorger mit Zuschüssen',
    leadEnd: 'läuft bis Ende 2026.',
    speakers: ['Landrätin Petra Beispiel', 'Landrätin Petra Beispiel'],
    lists: ['ul:3'],
    closing: ['contact'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt'],
    blogContains: ['<li>Kühltechnik und Kassensysteme</li>', '<p>Anträge können bis zum 30. Juni 2024'],
  },
  'gemeinde-buergerversammlung.txt': {
    title: 'Bürgerversammlung zur Ortsumgehung Musterdorf',
    subtitle: 'Gemeinde lädt am 8. November 2024 in die Mehrzweckhalle ein',
    dateline: 'Musterdorf, den 21. Oktober 2024',
    leadStart: 'Die Gemeinde Musterdorf lädt alle Einwohnerinnen und Einwohner am Freitag, 8. November 2024, um 19.00 Uhr',
    leadEnd: 'Thema ist die geplante Ortsumgehung im Zuge der B 27.',
    closing: ['contact', 'imprint'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt'],
    blogContains: ['Bürgermeister a. D. Hans Beispiel', 'der stellv. Bürgermeister Karl Muster'],
  },
  'verein-spendenaufruf.txt': {
    title: 'Tafel Musterstadt e. V. bittet um Spenden für den Winter',
    dateline: 'Musterstadt, 30.11.2023',
    leadStart: 'Die Tafel Musterstadt e. V. versorgt in diesem Winter so viele Menschen wie nie zuvor.',
    leadEnd: 'fast doppelt so viele wie vor zwei Jahren.',
    speakers: ['Vorsitzende Maria Beispiel'],
    closing: ['contact'],
    twitter: 2,
    mastodon: 1,
    mastodonTags: ['#Musterstadt', '#Ehrenamt'],
    // A private mail address and the account: a person decides.
    blogWarnings: ['PERSONAL_EMAIL', 'PERSONAL_IBAN'],
  },
  'stadt-kurzmeldung-vollsperrung.txt': {
    title: 'Vollsperrung der Brückenstraße am Wochenende',
    dateline: 'Musterstadt, 7. Juni 2024',
    leadStart: 'Wegen Belagsarbeiten ist die Brückenstraße',
    leadEnd: 'bis Sonntag, 20.00 Uhr, voll gesperrt.',
    closing: ['contact'],
    twitter: 1,
    mastodon: 1,
    mastodonTags: ['#Musterstadt'],
    socialWarnings: { facebook: [], twitter: [], mastodon: [], bluesky: [] },
  },
  'landesamt-statistik-pendler.txt': {
    title: 'Mehr Menschen pendeln mit Bus und Bahn zur Arbeit',
    subtitle: 'Statistisches Landesamt legt Ergebnisse des Mikrozensus vor',
    dateline: 'Musterhausen, 06.09.2024',
    leadStart: 'Der Anteil der Erwerbstätigen, die mit Bus und Bahn zur Arbeit fahren,',
    // One sentence of 560 characters: the second sentence of the paragraph is left out.
    leadEnd: 'ca. 78 Prozent der Pendlerinnen und Pendler das Auto nutzen.',
    closing: ['contact'],
    twitter: 4,
    mastodon: 2,
    mastodonTags: ['#Musterstadt'],
    socialWarnings: {
      facebook: ['LEAD_SHORTENED'],
      twitter: ['LEAD_SHORTENED', 'TEXT_TRUNCATED_TO_THREAD', 'SENTENCE_SPLIT'],
      mastodon: ['LEAD_SHORTENED', 'TEXT_TRUNCATED_TO_THREAD', 'SENTENCE_SPLIT'],
    },
  },
};

describe('golden expectations', () => {
  it('covers at least twelve fixtures of our own besides the sample release', () => {
    expect(Object.keys(GOLDEN).length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(GOLDEN).every((f) => FILES.includes(f))).toBe(true);
  });

  describe.each(Object.entries(GOLDEN))('%s', (file, golden) => {
    const source = read(file);
    const parsed = parseRelease(source);
    const post = (channel: ChannelType): ComposedPost => compose(file, channel);

    it('recognises title, subtitle, dateline and embargo', () => {
      expect(parsed.title).toBe(golden.title);
      expect(parsed.subtitle).toBe(golden.subtitle ?? null);
      expect(parsed.dateline?.text ?? null).toBe(golden.dateline);
      expect(parsed.dateline?.code ?? null).toBe(golden.code ?? null);
      expect(parsed.embargo).toBe(golden.embargo ?? null);
    });

    it('chooses the lead a press officer would', () => {
      expect(parsed.lead?.startsWith(golden.leadStart)).toBe(true);
      expect(parsed.lead?.endsWith(golden.leadEnd)).toBe(true);
      const facebook = post('facebook').content.text ?? '';
      expect(facebook.split('\n\n')).toEqual([golden.title, parsed.lead, urlFor(file), '#Musterstadt']);
    });

    it('finds quotes with their speakers, lists, boilerplate and closing blocks', () => {
      expect(parsed.quotes.map((q) => q.speaker)).toEqual(golden.speakers ?? []);
      expect(parsed.lists.map((l) => `${l.ordered ? 'ol' : 'ul'}:${l.items.length}`)).toEqual(golden.lists ?? []);
      expect(parsed.closing.map((c) => c.kind)).toEqual(golden.closing);
      expect(parsed.boilerplate).toHaveLength(golden.boilerplate ?? 0);
    });

    it('makes the expected posts on X, Mastodon and Bluesky', () => {
      const twitter = post('twitter').content.thread ?? [];
      expect(twitter).toHaveLength(golden.twitter);
      if (golden.twitter > 1) {
        expect(twitter[0]).toBe(`${golden.title}\n\n${urlFor(file)}\n\n#Musterstadt (1/${golden.twitter})`);
        expect(twitter[1]?.startsWith(golden.leadStart)).toBe(true);
      }
      const mastodon = parts(post('mastodon').content);
      expect(mastodon).toHaveLength(golden.mastodon);
      expect(mastodon[0]?.startsWith(golden.leadStart)).toBe(true);
      expect(tagsOf(mastodon[0] ?? '')).toEqual(golden.mastodonTags);
      expect(post('bluesky').content.text).toBe(`${golden.title}\n\n${urlFor(file)}\n\n#Musterstadt`);
    });

    it('warns as expected', () => {
      expect(codes(post('blog'))).toEqual(golden.blogWarnings ?? []);
      const social = golden.socialWarnings ?? {};
      expect(codes(post('facebook'))).toEqual(social.facebook ?? []);
      expect(codes(post('twitter'))).toEqual(social.twitter ?? (golden.twitter > 1 ? ['TEXT_TRUNCATED_TO_THREAD'] : []));
      expect(codes(post('mastodon'))).toEqual(social.mastodon ?? []);
      expect(codes(post('bluesky'))).toEqual(social.bluesky ?? []);
    });

    if (golden.blogContains) {
      it('renders the article', () => {
        const html = post('blog').content.html ?? '';
        for (const fragment of golden.blogContains ?? []) expect(html).toContain(fragment);
      });
    }
  });
});

describe('pastes', () => {
  it('drops the letterhead, page numbers and the header repeated on page two of a Word paste', () => {
    const html = compose('word-paste-dorflaeden.txt', 'blog').content.html ?? '';
    expect(html).not.toMatch(/Der Landrat|Pressemitteilung|Seite \d/);
    expect(html).not.toMatch(/\u00ad| {2}/);
  });

  it('cuts a release pasted as one line into title, lead, contact and imprint', () => {
    const parsed = parseRelease(read('einzeilig-webseite-sporthalle.txt'));
    expect(parsed.blocks.map((b) => b.role)).toEqual(['title', 'lead', 'contact', 'imprint']);
    expect(parsed.closing[1]?.text).toBe('Impressum Stadt Musterstadt, Der Bürgermeister, Rathausplatz 1, 12345 Musterstadt');
  });
});

describe('the title as the editor enters it', () => {
  it('drops the Presseportal code from social posts, not from the article', () => {
    const body = read('polizei-rostock-zeugenaufruf.txt');
    const release = { title: 'POL-HRO: Zeugenaufruf nach Verkehrsunfall mit verletzter Radfahrerin in der Südstadt', body };
    const bluesky = composePost(release, 'bluesky', { articleUrl: urlFor('x') }).content.text ?? '';
    expect(bluesky.startsWith('Zeugenaufruf nach Verkehrsunfall')).toBe(true);
    const blog = composePost(release, 'blog', {}).content;
    expect(blog.title).toBe(release.title);
    // The title line of the body repeats the title and is not shown twice.
    expect(blog.html).not.toContain('POL-HRO');
  });

  it('leaves contact data in a title out of social posts', () => {
    const release = { title: 'Neue Hotline 0800 1234567 für Eltern', body: read('stadt-kita-eroeffnung.txt') };
    expect(composePost(release, 'bluesky', { articleUrl: urlFor('x') }).content.text).toBe(`Neue Hotline für Eltern\n\n${urlFor('x')}`);
  });
});

describe('organisation guidelines', () => {
  const file = 'stadt-kita-eroeffnung.txt';

  it('blocks a banned phrase with a clear German message, on every channel that shows it', () => {
    const guidelines: Guidelines = { bannedPhrases: ['Kita Sonnenblume', 'alternativlos'] };
    const blog = compose(file, 'blog', { guidelines });
    expect(blog.warnings).toContainEqual({
      code: 'GUIDELINE_BANNED_PHRASE',
      severity: 'error',
      message:
        'Der Beitrag für Blog enthält „Kita Sonnenblume“. Diese Formulierung ist nach den Social-Media-Richtlinien Ihrer Organisation nicht erlaubt; bitte formulieren Sie die Stelle um.',
    });
    // The lead does not contain it, so the social posts are fine.
    expect(codes(compose(file, 'facebook', { guidelines }))).not.toContain('GUIDELINE_BANNED_PHRASE');
    // Whole words only: "Kita" does not ban "Kitas".
    expect(codes(compose(file, 'blog', { guidelines: { bannedPhrases: ['Kitas'] } }))).toEqual([]);
  });

  it('adds the required hashtag and the signature to every social post, and reports a hand edit that drops them', () => {
    const guidelines: Guidelines = { requiredHashtag: 'stadt musterstadt', signature: '^EB' };
    for (const channel of SOCIAL) {
      const post = compose(file, channel, { guidelines });
      const text = parts(post.content).join('\n');
      expect(text).toContain('#StadtMusterstadt ^EB');
      expect(post.warnings.filter((w) => w.severity === 'error')).toEqual([]);
    }
  });

  it('never exceeds the maximum number of hashtags, dropping keywords first', () => {
    const guidelines: Guidelines = { requiredHashtag: 'Musterstadt', maxHashtags: 2, hashtags: ['Kita', 'Familie', 'Betreuung', 'Holzbau'] };
    const post = compose(file, 'mastodon', { guidelines });
    expect(tagsOf(post.content.text ?? '')).toEqual(['#Musterstadt', '#Kita']);
    expect(codes(post)).toContain('HASHTAGS_DROPPED');
  });

  it('uses only the keywords the release is about', () => {
    const post = compose(file, 'mastodon', { guidelines: { hashtags: ['Feuerwehr', 'Kita', 'Radverkehr', 'Holzbauweise'] } });
    expect(tagsOf(post.content.text ?? '')).toEqual(['#Kita', '#Holzbauweise']);
  });

  it('reports the required hashtag as missing when even it does not fit', () => {
    const guidelines: Guidelines = { requiredHashtag: 'Donaudampfschifffahrtsgesellschaftskapitänsmütze', signature: '– Ihr Presseteam der Stadt' };
    const post = compose(file, 'mastodon', { guidelines, mastodonMaxChars: 60 });
    expect(parts(post.content).every((p) => withinLimit('mastodon', p, 60))).toBe(true);
    expect(codes(post)).toEqual(expect.arrayContaining(['GUIDELINE_HASHTAG_MISSING', 'GUIDELINE_SIGNATURE_MISSING']));
    expect(post.warnings.find((w) => w.code === 'GUIDELINE_HASHTAG_MISSING')?.severity).toBe('error');
  });
});
