import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTweet } from 'twitter-text';
import { checkPost, composePost, measure, warningMessage } from '../../src/domain/splitting';
import type { ReleaseText } from '../../src/domain/types';

const SAMPLE = readFileSync(join(__dirname, '../fixtures/releases/kbw-social-media-buergerbeteiligung.txt'), 'utf8');
const TITLE = 'Social Media – Ein Weg zu mehr Bürgerbeteiligung';
const URL = 'https://presse.example.de/2012/social-media-buergerbeteiligung';
const LEAD_START = 'Social Media, und prinzipiell alle Einsatzmöglichkeiten';
const LEAD_END = 'nicht dermaßen eindeutig abzuschätzen ist.';
const HASHTAGS = ['Bürgerbeteiligung', 'social media'];

/** As scraped: the body still carries the title line, the breadcrumb and the contact block. */
const sample: ReleaseText = { title: TITLE, subtitle: 'Seminarreihe des KBW', dateline: 'Berlin, 27.08.2012', body: SAMPLE };
const graphemes = (s: string): number => [...new Intl.Segmenter('de', { granularity: 'grapheme' }).segment(s)].length;
const codes = (post: { warnings: { code: string }[] }): string[] => post.warnings.map((w) => w.code);

describe('composePost', () => {
  describe('blog and wordpress with the sample release', () => {
    const post = composePost(sample, 'blog', { articleUrl: URL });
    const html = post.content.html ?? '';

    it('renders subtitle, dateline before the lead, and the full body', () => {
      expect(post.content.title).toBe(TITLE);
      expect(post.content.link).toBe(URL);
      expect(post.length).toBeNull();
      expect(html.startsWith('<p class="subtitle">Seminarreihe des KBW</p>')).toBe(true);
      expect(html).toContain(`<p>Berlin, 27.08.2012 – ${LEAD_START}`);
      expect(html).toContain('<p>Die neuen Formen der Kommunikation erfordern');
      expect(html).toContain('nach DIN EN ISO 9001:2008 sowie nach AZWV zertifiziert.');
    });

    it('drops the breadcrumb, the advertising marker and the repeated title', () => {
      expect(html).not.toContain('ANZEIGE');
      expect(html).not.toContain('Home »');
      expect(html).not.toContain(`<p>${TITLE}</p>`);
    });

    it('turns the bullet lines into a list', () => {
      expect(html).toContain('<ul>');
      expect(html.match(/<li>/g)).toHaveLength(6);
      expect(html).toContain('(06.09.2012 sowie 21.03.2013)');
    });

    it('keeps the press contact at the end, with safe links', () => {
      const contactAt = html.indexOf('Pressekontakt:');
      expect(contactAt).toBeGreaterThan(html.indexOf('Das Institut bietet seit mittlerweile'));
      expect(html.slice(contactAt)).toContain('Telefon: 030 293350-0');
      expect(html).toContain('<a href="mailto:Hennig@kbw.de" rel="noopener">Hennig@kbw.de</a>');
      // Written without a scheme, so linked over https.
      expect(html).toContain('<a href="https://www.kbw.de" rel="noopener">');
    });

    it('gives wordpress the same article', () => {
      expect(composePost(sample, 'wordpress', { articleUrl: URL }).content).toEqual(post.content);
    });

    it('drops a Markdown heading that repeats the title, and shows the heading under it as the subtitle', () => {
      const html = composePost({ title: TITLE, body: `# ${TITLE}\n\n## Unterzeile\n\nText.\n\n## Zwischentitel\n\nMehr.` }, 'blog', {}).content.html;
      expect(html).toBe('<p class="subtitle">Unterzeile</p>\n<p>Text.</p>\n<h2>Zwischentitel</h2>\n<p>Mehr.</p>');
    });

    it('does not repeat a dateline the body already starts with', () => {
      const withDateline = { ...sample, body: `Berlin, 27.08.2012\n\n${SAMPLE}` };
      expect(composePost(withDateline, 'blog', {}).content.html?.match(/27\.08\.2012/g)).toHaveLength(1);
    });
  });

  describe('facebook with the sample release', () => {
    const post = composePost(sample, 'facebook', { articleUrl: URL });
    const text = post.content.text ?? '';

    it('is title, blank line, lead paragraph, blank line, link', () => {
      const [title, lead, link, ...rest] = text.split('\n\n');
      expect(title).toBe(TITLE);
      expect(lead?.startsWith(LEAD_START)).toBe(true);
      expect(lead?.endsWith(LEAD_END)).toBe(true);
      expect(link).toBe(URL);
      expect(rest).toEqual([]);
      expect(post.content.link).toBe(URL);
      expect(post.length).toBe(text.length);
      expect(post.warnings).toEqual([]);
    });

    it('leaves out the scraped noise, the dateline and all contact data', () => {
      expect(text).not.toMatch(/ANZEIGE|Home »|Kommunales Bildungswerk e\. V\.|Berlin, 27/);
      expect(text).not.toMatch(/@|030|Pressekontakt|Hennig/);
    });
  });

  describe('twitter with the sample release', () => {
    const post = composePost(sample, 'twitter', { articleUrl: URL });
    const thread = post.content.thread ?? [];

    it('makes a numbered thread: title and link first, then the lead', () => {
      expect(thread).toHaveLength(3);
      expect(thread[0]).toBe(`${TITLE}\n\n${URL} (1/3)`);
      expect(thread[1]?.startsWith(LEAD_START)).toBe(true);
      expect(thread[2]?.endsWith(`${LEAD_END} (3/3)`)).toBe(true);
      thread.forEach((part, i) => expect(part.endsWith(` (${i + 1}/3)`)).toBe(true));
    });

    it('never exceeds 280 weighted characters and cuts the long sentence at a clause', () => {
      for (const part of thread) expect(parseTweet(part).weightedLength).toBeLessThanOrEqual(280);
      expect(post.length).toBe(Math.max(...thread.map((p) => parseTweet(p).weightedLength)));
      expect(thread[1]).toMatch(/zu bergen, \(2\/3\)$/);
    });

    it('says that a thread was made, in German', () => {
      const info = post.warnings.find((w) => w.code === 'TEXT_TRUNCATED_TO_THREAD');
      expect(info).toEqual({ code: 'TEXT_TRUNCATED_TO_THREAD', severity: 'warning', message: expect.stringContaining('Thread mit 3 Teilen') });
      expect(codes(post)).not.toContain('LIMIT_EXCEEDED');
    });

    it('is one post when title, lead and link fit', () => {
      const short: ReleaseText = {
        title: 'Neue Öffnungszeiten im Bürgeramt',
        body: 'Ab dem 1. April ist das Bürgeramt auch samstags von 9:00 bis 12.00 Uhr für alle Anliegen geöffnet.',
      };
      const single = composePost(short, 'twitter', { articleUrl: URL });
      expect(single.content.thread).toEqual([`${short.title}\n\n${short.body}\n\n${URL}`]);
      expect(codes(single)).toEqual([]);
    });
  });

  describe('mastodon with the sample release', () => {
    it('is lead, link and CamelCase hashtags in one status', () => {
      const post = composePost(sample, 'mastodon', { articleUrl: URL, hashtags: HASHTAGS });
      const text = post.content.text ?? '';
      expect(text.startsWith(LEAD_START)).toBe(true);
      expect(text.endsWith(`${LEAD_END}\n\n${URL}\n\n#Bürgerbeteiligung #SocialMedia`)).toBe(true);
      // The link counts 23, whatever its real length.
      expect(post.length).toBe(graphemes(text) - URL.length + 23);
      expect(post.warnings).toEqual([]);
    });

    it('makes a thread on a small instance, with link and hashtags in the first part', () => {
      const post = composePost(sample, 'mastodon', { articleUrl: URL, hashtags: HASHTAGS, mastodonMaxChars: 200 });
      const thread = post.content.thread ?? [];
      expect(thread.length).toBeGreaterThan(1);
      expect(thread[0]).toContain(`${URL}\n\n#Bürgerbeteiligung #SocialMedia (1/${thread.length})`);
      for (const part of thread) expect(measure('mastodon', { text: part }, { mastodonMaxChars: 200 }).length).toBeLessThanOrEqual(200);
      expect(codes(post)).toContain('TEXT_TRUNCATED_TO_THREAD');
    });

    it('drops hashtags from the end when they leave no room for text', () => {
      const hashtags = ['Bürgerbeteiligung', 'social media', 'Kommunen', 'Verwaltung', 'Öffentlichkeitsarbeit'];
      const post = composePost(sample, 'mastodon', { articleUrl: URL, hashtags, mastodonMaxChars: 100 });
      const first = post.content.thread?.[0] ?? '';
      expect(first).toContain('#Bürgerbeteiligung');
      expect(first).not.toContain('#Öffentlichkeitsarbeit');
      expect(post.warnings).toContainEqual(expect.objectContaining({ code: 'HASHTAGS_DROPPED', message: expect.stringContaining('4 Hashtag(s)') }));
    });

    it('uses 500 when the configured limit is not a positive integer', () => {
      expect(measure('mastodon', { text: 'x' }, { mastodonMaxChars: Number.NaN }).limit).toBe(500);
      expect(measure('mastodon', { text: 'x' }, { mastodonMaxChars: 0 }).limit).toBe(500);
    });
  });

  describe('bluesky with the sample release', () => {
    it('is title and link, counted in graphemes with the full URL', () => {
      const post = composePost(sample, 'bluesky', { articleUrl: URL });
      expect(post.content.text).toBe(`${TITLE}\n\n${URL}`);
      expect(post.length).toBe(graphemes(`${TITLE}\n\n${URL}`));
      expect(post.warnings).toEqual([]);
    });

    it('cuts a URL longer than a whole post, and says so', () => {
      const longUrl = `https://presse.example.de/${'a'.repeat(400)}`;
      const post = composePost(sample, 'bluesky', { articleUrl: longUrl });
      const thread = post.content.thread ?? [];
      expect(thread.length).toBeGreaterThan(1);
      for (const part of thread) expect(graphemes(part)).toBeLessThanOrEqual(300);
      expect(codes(post)).toContain('WORD_SPLIT');
      expect(codes(post)).not.toContain('LIMIT_EXCEEDED');
    });
  });

  describe('links', () => {
    it('warns on every social channel when the article link is missing, not on the blog', () => {
      for (const channel of ['facebook', 'twitter', 'mastodon', 'bluesky'] as const) {
        const post = composePost(sample, channel, {});
        expect(post.warnings).toContainEqual(expect.objectContaining({ code: 'NO_ARTICLE_LINK', severity: 'warning' }));
      }
      // The blog only hears about the information line's phone number outside the press contact.
      expect(codes(composePost(sample, 'blog', {}))).toEqual(['PERSONAL_PHONE']);
    });

    it('refuses a link that is not http(s)', () => {
      const post = composePost(sample, 'bluesky', { articleUrl: 'javascript:alert(1)' });
      expect(post.content.text).toBe(TITLE);
      expect(post.warnings).toContainEqual(expect.objectContaining({ code: 'INVALID_ARTICLE_LINK', severity: 'error' }));
    });
  });

  describe('lead paragraph', () => {
    const lead = (body: string, extra: Partial<ReleaseText> = {}): string | undefined =>
      composePost({ title: 'Titel', body, ...extra }, 'facebook', {}).content.text?.split('\n\n')[1];
    const LONG = 'Die Stadt Musterstadt eröffnet am 1. April ein neues Bürgerbüro in der Hauptstr. 5 im Stadtteil Nord.';

    it('skips headings, breadcrumbs, ANZEIGE, datelines, boilerplate and short lines', () => {
      const body = [
        '# Titel',
        'ANZEIGE',
        'Startseite » Presse » Mitteilungen',
        'Musterstadt, 1. April 2025',
        'Pressemitteilung Nr. 12/2025 der Stadt Musterstadt, Amt für Kommunikation und Bürgerdialog',
        'Stadt Musterstadt',
        'Ein neues Bürgerbüro für den Stadtteil Nord ohne Punkt am Ende',
        LONG,
      ].join('\n\n');
      expect(lead(body)).toBe(LONG);
    });

    it('skips a heading line at the top of a paragraph', () => {
      expect(lead(`Neues Bürgerbüro im Norden\n${LONG}`)).toBe(LONG);
    });

    it('removes an agency dateline from the lead', () => {
      expect(lead(`Musterstadt (ots) – ${LONG}`)).toBe(LONG);
      expect(lead(`Musterstadt, 1. April 2025 – ${LONG}`, { dateline: 'Musterstadt, 1. April 2025' })).toBe(LONG);
    });

    it('does not mistake a "1. April" paragraph for a list', () => {
      const body = '1. April 2025: Die Stadt Musterstadt eröffnet heute ein neues Bürgerbüro im Stadtteil Nord.';
      expect(lead(body)).toBe(body);
      expect(composePost({ title: 'T', body }, 'blog', {}).content.html).toBe(`<p>${body}</p>`);
    });

    it('warns and falls back to the title when there is none', () => {
      const post = composePost({ title: 'Nur ein Titel', body: 'Kurz.' }, 'twitter', { articleUrl: URL });
      expect(post.content.thread).toEqual([`Nur ein Titel\n\n${URL}`]);
      expect(codes(post)).toContain('NO_LEAD');
    });
  });

  describe('contact and imprint blocks', () => {
    const LEAD = 'Die Stadt Musterstadt lädt alle Bürgerinnen und Bürger zum Tag der offenen Tür ins Rathaus ein.';
    const SOCIAL = ['facebook', 'twitter', 'mastodon', 'bluesky'] as const;
    const socialText = (release: ReleaseText): string =>
      SOCIAL.map((c) => {
        const content = composePost(release, c, { articleUrl: URL, mastodonMaxChars: 120 }).content;
        return [content.text ?? '', ...(content.thread ?? [])].join('\n');
      }).join('\n');

    it.each([
      'Pressekontakt:\nStadt Musterstadt\nTelefon: 0221 123456-7',
      'Kontakt\n\nAmt für Kommunikation, Rathausplatz 1',
      'Rückfragen an: Frau Beispiel, Amt für Kommunikation der Stadt Musterstadt',
      'Ansprechpartnerin: Frau Beispiel',
      'IMPRESSUM\nStadt Musterstadt',
      'V.i.S.d.P.: Erika Beispiel, Leiterin des Amtes für Kommunikation',
      'Original-Content von: Stadt Musterstadt, übermittelt durch news aktuell',
      '**Pressekontakt**\nErika Beispiel',
    ])('keeps %j and everything after it out of social posts', (contact) => {
      const after = 'Geheimer Nachsatz mit vielen Wörtern, die niemals in einem sozialen Netzwerk stehen dürfen.';
      const text = socialText({ title: 'Tag der offenen Tür', body: `${contact}\n\n${after}\n\n${LEAD}` });
      expect(text).not.toMatch(/Geheimer|Beispiel|0221|Rathausplatz|news aktuell|Tag der offenen Tür ins/);
    });

    it('skips paragraphs with e-mail addresses or phone numbers when picking the lead', () => {
      const body = [
        'Anmeldungen für den Tag der offenen Tür nimmt das Bürgerbüro per E-Mail an buergerbuero@musterstadt.example entgegen.',
        'Anmeldungen für den Tag der offenen Tür nimmt das Bürgerbüro auch telefonisch unter 0221 / 98 76 54 entgegen.',
        'Anmeldungen für den Tag der offenen Tür nimmt das Bürgerbüro unter +49 221 987654 entgegen, werktags.',
        LEAD,
      ].join('\n\n');
      expect(composePost({ title: 'T', body }, 'facebook', {}).content.text).toBe(`T\n\n${LEAD}`);
    });

    it('does not take "Kontakt zu …" in a sentence for a contact block', () => {
      const body = 'Kontakt zu den Bürgerinnen und Bürgern ist der Stadt Musterstadt besonders wichtig, sagt die Bürgermeisterin.';
      expect(composePost({ title: 'T', body }, 'facebook', {}).content.text).toBe(`T\n\n${body}`);
    });

    it('keeps dates and years, which look like numbers, in the lead', () => {
      const body = 'Die Seminare finden am 06.09.2012 sowie am 21.03.2013 statt, Beginn jeweils um 10:30 Uhr im Rathaus.';
      expect(composePost({ title: 'T', body }, 'facebook', {}).content.text).toBe(`T\n\n${body}`);
    });
  });

  describe('media', () => {
    it('passes images on and blocks submit when an alt text is missing', () => {
      const media = [
        { url: 'https://presse.example.de/a.jpg', alt: 'Das Rathaus' },
        { url: 'https://presse.example.de/b.jpg', alt: '  ' },
      ];
      for (const channel of ['blog', 'facebook', 'twitter', 'mastodon', 'bluesky'] as const) {
        const post = composePost({ ...sample, media }, channel, { articleUrl: URL });
        expect(post.content.media).toEqual(media);
        expect(post.warnings).toContainEqual({ code: 'MEDIA_ALT_MISSING', severity: 'error', message: expect.stringContaining('Bild 2') });
      }
    });

    it('reports more images than X allows', () => {
      const media = Array.from({ length: 5 }, (_, i) => ({ url: `https://presse.example.de/${i}.jpg`, alt: `Bild ${i}` }));
      expect(codes(composePost({ ...sample, media }, 'twitter', { articleUrl: URL }))).toContain('MEDIA_TOO_MANY');
    });
  });

  describe('long input', () => {
    it('threads a title longer than a post and cuts an overlong word only with a warning', () => {
      const title = `${'Bürgerbeteiligung '.repeat(20)}${'x'.repeat(600)}`;
      const post = composePost({ title, body: '' }, 'twitter', { articleUrl: URL });
      const thread = post.content.thread ?? [];
      for (const part of thread) expect(parseTweet(part).weightedLength).toBeLessThanOrEqual(280);
      expect(codes(post)).toEqual(expect.arrayContaining(['TEXT_TRUNCATED_TO_THREAD', 'WORD_SPLIT']));
      expect(codes(post)).not.toContain('LIMIT_EXCEEDED');
    });

    it('shortens an absurd facebook lead after a sentence', () => {
      const body = 'Die Stadt Musterstadt informiert über neue Öffnungszeiten des Bürgeramtes im Rathaus. '.repeat(800);
      const post = composePost({ title: 'T', body }, 'facebook', { articleUrl: URL });
      expect(post.length).toBeLessThanOrEqual(63206);
      expect(post.content.text?.endsWith(`Rathaus.\n\n${URL}`)).toBe(true);
      expect(codes(post)).toContain('LEAD_SHORTENED');
    });
  });
});

describe('measure', () => {
  it('gives the longest part and the limit of each network', () => {
    expect(measure('twitter', { thread: ['kurz', 'x'.repeat(300)] })).toEqual({ length: 300, limit: 280 });
    expect(measure('mastodon', { text: `Hallo ${URL}` }, { mastodonMaxChars: 1000 })).toEqual({ length: 29, limit: 1000 });
    expect(measure('bluesky', { text: 'Familie 👨‍👩‍👧' })).toEqual({ length: 9, limit: 300 });
    expect(measure('facebook', { text: 'Hallo' })).toEqual({ length: 5, limit: 63206 });
    expect(measure('blog', { html: '<p>x</p>' })).toEqual({ length: null, limit: null });
  });

  it('reports an over-long or empty hand-edited post as an error', () => {
    expect(measure('twitter', { thread: ['ü'.repeat(281)] }).length).toBe(281);
    expect(checkPost('twitter', { thread: ['ok', 'ü'.repeat(281)] })).toEqual([
      { code: 'LIMIT_EXCEEDED', severity: 'error', message: 'Der Beitrag für X (Twitter) ist mit 281 Zeichen länger als erlaubt (280).' },
    ]);
    expect(checkPost('mastodon', { text: '  ' }).map((w) => w.code)).toEqual(['EMPTY_POST']);
    expect(checkPost('bluesky', { text: 'ok', media: [{ url: 'https://x.de/a.jpg', alt: '' }] }).map((w) => w.code)).toEqual(['MEDIA_ALT_MISSING']);
    expect(checkPost('blog', { title: 'T', html: '<p>x</p>' })).toEqual([]);
  });
});

describe('warningMessage', () => {
  it('speaks German by default and English on request', () => {
    expect(warningMessage('NO_ARTICLE_LINK', 'de', { channel: 'twitter' })).toBe('Der Beitrag für X (Twitter) enthält keinen Link zum Artikel.');
    expect(warningMessage('NO_ARTICLE_LINK', 'en', { channel: 'mastodon' })).toBe('The post for Mastodon contains no link to the article.');
  });
});
