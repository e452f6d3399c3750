import { checkPost, parseDateline, parseRelease } from '../../src/domain/splitting';
import { stripContactData } from '../../src/domain/splitting/contact';

const LEAD = 'Die Stadt Musterstadt lädt alle Bürgerinnen und Bürger am Samstag zum Tag der offenen Tür ins Rathaus ein.';

describe('parseRelease', () => {
  describe('datelines', () => {
    it.each([
      ['Musterstadt, 12.03.2024 – ', { place: 'Musterstadt', date: '12.03.2024', agency: null }],
      ['Musterstadt, 12.03.2024: ', { place: 'Musterstadt', date: '12.03.2024', agency: null }],
      ['Magdeburg, den 8. November 2004. ', { place: 'Magdeburg', date: '8. November 2004', agency: null }],
      ['Rostock (ots) - ', { place: 'Rostock', date: null, agency: 'ots' }],
      ['Berlin (dpa/lbn) – ', { place: 'Berlin', date: null, agency: 'dpa' }],
      ['Frankfurt am Main, 1. April 2025 – ', { place: 'Frankfurt am Main', date: '1. April 2025', agency: null }],
      ['Halle (Saale), 06.09.2012 – ', { place: 'Halle (Saale)', date: '06.09.2012', agency: null }],
      ['Musterstadt, Montag, 4. März 2024 – ', { place: 'Musterstadt', date: 'Montag, 4. März 2024', agency: null }],
      ['Bonn, 2024-03-12 – ', { place: 'Bonn', date: '2024-03-12', agency: null }],
    ])('takes %j off the lead', (dateline, expected) => {
      const parsed = parseRelease(`Titel der Mitteilung\n\n${dateline}${LEAD}`);
      expect(parsed.lead).toBe(LEAD);
      expect(parsed.dateline).toMatchObject(expected);
    });

    it('reads a dateline on a line of its own', () => {
      const parsed = parseRelease(`Titel der Mitteilung\n\nMusterstadt, 12. März 2024\n\n${LEAD}`);
      expect(parsed.dateline?.text).toBe('Musterstadt, 12. März 2024');
      expect(parsed.lead).toBe(LEAD);
    });

    it('does not take a sentence that starts with a day for a dateline', () => {
      const text = 'Am Montag, 12.03.2024, hat die Stadt Musterstadt das neue Bürgerbüro im Stadtteil Nord eröffnet.';
      const parsed = parseRelease(`Titel der Mitteilung\n\n${text}`);
      expect(parsed.lead).toBe(text);
      expect(parsed.dateline).toBeNull();
    });

    it('records the Presseportal code of a police title', () => {
      const parsed = parseRelease(`POL-HRO: Einbruch in Kleingartenanlage\n\nRostock (ots) - ${LEAD}`);
      expect(parsed.title).toBe('Einbruch in Kleingartenanlage');
      expect(parsed.dateline).toEqual({ text: 'Rostock (ots)', place: 'Rostock', date: null, agency: 'ots', code: 'POL-HRO' });
    });

    it('parses a dateline as written', () => {
      expect(parseDateline('Musterstadt, 12.03.2024 –')).toEqual({ text: 'Musterstadt, 12.03.2024', place: 'Musterstadt', date: '12.03.2024', agency: null, code: null });
    });
  });

  describe('embargo, labels and noise in the head', () => {
    it.each([
      'Sperrfrist: 12.03.2024, 10:00 Uhr',
      'SPERRFRIST 14. März 2024, 11.00 Uhr',
      'Sperrfrist bis Dienstag, 12 Uhr',
      '**Sperrfrist: Redebeginn**',
      'Embargo: 12.03.2024, 10:00 Uhr',
      'Frei zur Veröffentlichung ab 12.03.2024, 10 Uhr',
      'Veröffentlichung nicht vor dem 12. März 2024',
    ])('recognises the embargo line %j', (line) => {
      const parsed = parseRelease(`${line}\n\nTitel der Mitteilung\n\n${LEAD}`);
      expect(parsed.embargo).toBe(line.replace(/\*\*/g, ''));
      expect(parsed.title).toBe('Titel der Mitteilung');
      expect(parsed.lead).toBe(LEAD);
    });

    it('skips labels, navigation and advertising before the title', () => {
      const parsed = parseRelease(`ANZEIGE\nStartseite » Presse » Mitteilungen\nPressemitteilung Nr. 12/2024\n\nTitel der Mitteilung\n\n${LEAD}`);
      expect(parsed.title).toBe('Titel der Mitteilung');
      expect(parsed.blocks[0]?.lineRoles).toEqual(['noise', 'noise', 'noise']);
    });

    it('takes the line under the title for the subtitle, and a Markdown subheading too', () => {
      expect(parseRelease(`Titel der Mitteilung\nUnterzeile ohne Punkt\n\n${LEAD}`).subtitle).toBe('Unterzeile ohne Punkt');
      expect(parseRelease(`# Titel\n\n## Unterzeile\n\n${LEAD}`)).toMatchObject({ title: 'Titel', subtitle: 'Unterzeile' });
    });

    it('recognises the title the editor entered when the body repeats it', () => {
      const parsed = parseRelease(`Titel der Mitteilung\n\n${LEAD}`, { title: 'Titel der Mitteilung' });
      expect(parsed.blocks[0]?.role).toBe('title');
    });
  });

  describe('quotes', () => {
    it.each([
      ['„Wir freuen uns sehr auf die Gäste“, so Bürgermeisterin Erika Beispiel.', 'Bürgermeisterin Erika Beispiel', 'so'],
      ['„Wir freuen uns sehr auf die Gäste“, sagt Landrat Dr. Max Muster bei der Eröffnung.', 'Landrat Dr. Max Muster', 'sagt'],
      ['"Wir freuen uns sehr auf die Gäste", erklärt Prof. Dr. Anna Beispiel (Universität Musterstadt).', 'Prof. Dr. Anna Beispiel (Universität Musterstadt)', 'erklärt'],
      ['Bürgermeisterin Erika Beispiel betont: „Wir freuen uns sehr auf die Gäste.“', 'Bürgermeisterin Erika Beispiel', 'betont'],
      ['Erika Beispiel: „Wir freuen uns sehr auf die Gäste.“', 'Erika Beispiel', null],
      ['»Wir freuen uns sehr auf die Gäste«, sagte die Vorsitzende Maria Beispiel.', 'Vorsitzende Maria Beispiel', 'sagte'],
    ])('finds who said %j', (paragraph, speaker, verb) => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\n${paragraph}`);
      expect(parsed.quotes).toEqual([{ text: expect.stringContaining('Wir freuen uns sehr auf die Gäste'), speaker, verb }]);
    });

    it('gives the second part of a split quote to the same speaker', () => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\n„Das ist ein guter Tag“, sagt Erika Beispiel, „für die ganze Stadt und die Region.“`);
      expect(parsed.quotes.map((q) => q.speaker)).toEqual(['Erika Beispiel', 'Erika Beispiel']);
    });

    it('does not take a quoted word for a quote', () => {
      expect(parseRelease(`Titel\n\n${LEAD}\n\nEin „Like“ ist schnell vergeben.`).quotes).toEqual([]);
    });
  });

  describe('lists', () => {
    it.each([
      ['- eins\n- zwei\n- drei', false],
      ['* eins\n* zwei\n* drei', false],
      ['• eins\n• zwei\n• drei', false],
      ['– eins\n– zwei\n– drei', false],
      ['\uf0b7\teins\n\uf0b7\tzwei\n\uf0b7\tdrei', false],
      ['✅ eins\n✅ zwei\n✅ drei', false],
      ['📅 eins\n📍 zwei\n👉 drei', false],
      ['1. eins\n2. zwei\n3. drei', true],
      ['1) eins\n2) zwei\n3) drei', true],
    ])('reads %j as a list', (list, ordered) => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\nDas Programm:\n${list}`);
      expect(parsed.lists).toHaveLength(1);
      expect(parsed.lists[0]?.ordered).toBe(ordered);
      expect(parsed.lists[0]?.items.map((i) => i.replace(/^\p{Extended_Pictographic}\s/u, ''))).toEqual(['eins', 'zwei', 'drei']);
    });

    it('does not read a line starting with a date as a list, nor a single emoji line', () => {
      const parsed = parseRelease(`Titel\n\n1. April 2025: ${LEAD}\n\n🎉 Die Stadt feiert ihren Geburtstag mit einem großen Fest.`);
      expect(parsed.lists).toEqual([]);
      expect(parsed.lead).toBe(`1. April 2025: ${LEAD}`);
    });
  });

  describe('links, addresses and numbers', () => {
    const text = [
      'Titel',
      LEAD,
      'Infos unter https://www.musterstadt.de/fest, www.musterstadt.de/programm und musterstadt.de/anfahrt sowie [im Netz](https://x.musterstadt.de/a_(b)).',
      'Pressekontakt:\nTel.: 0221 123456-7\nFax 0221 123456-9\nMobil: 0171 2345678\n+49 (0)221 987654\nE-Mail: presse@musterstadt.de\ninfo (at) musterstadt.de\nIBAN: DE89 3704 0044 0532 0130 00',
    ].join('\n\n');
    const parsed = parseRelease(text);

    it('finds links with and without scheme', () => {
      expect(parsed.links).toEqual([
        'https://www.musterstadt.de/fest',
        'www.musterstadt.de/programm',
        'musterstadt.de/anfahrt',
        'https://x.musterstadt.de/a_(b)',
      ]);
    });

    it('finds e-mail addresses, phone, fax and mobile numbers, and IBANs', () => {
      expect(parsed.emails).toEqual(['presse@musterstadt.de', 'info (at) musterstadt.de']);
      expect(parsed.phones).toEqual([
        { number: '0221 123456-7', kind: 'phone' },
        { number: '0221 123456-9', kind: 'fax' },
        { number: '0171 2345678', kind: 'mobile' },
        { number: '+49 (0)221 987654', kind: 'phone' },
      ]);
      expect(parsed.ibans).toEqual(['DE89 3704 0044 0532 0130 00']);
    });

    it('does not take dates, times, years, amounts or numbered documents for phone numbers', () => {
      const body = 'Am 06.09.2012 um 10:30 Uhr, 2012-2015, 1.500 Euro, Drucksache Nr. 045/2024, § 43 Abs. 2, PLZ 01067 Dresden.';
      expect(parseRelease(`Titel\n\n${LEAD} ${body}`).phones).toEqual([]);
    });
  });

  describe('boilerplate and closing blocks', () => {
    it.each([
      ['Pressekontakt:\nStadt Musterstadt', 'contact'],
      ['Presse-Kontakt\nStadt Musterstadt', 'contact'],
      ['Kontakt\nAmt für Kommunikation', 'contact'],
      ['Kontakt: Amt für Kommunikation, Tel. 0221 123456', 'contact'],
      ['Rückfragen bitte an:\nAmt für Kommunikation', 'contact'],
      ['Für Rückfragen: Frau Beispiel', 'contact'],
      ['Ansprechpartnerin für die Presse:\nFrau Beispiel', 'contact'],
      ['Impressum\nStadt Musterstadt', 'imprint'],
      ['V.i.S.d.P.: Erika Beispiel', 'imprint'],
      ['Verantwortlich im Sinne des Presserechts: Erika Beispiel', 'imprint'],
      ['Original-Content von: Stadt Musterstadt, übermittelt durch news aktuell', 'agency'],
      ['OTS: Stadt Musterstadt\nnewsroom: https://www.presseportal.de/nr/12345', 'agency'],
    ])('recognises %j', (block, kind) => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\n${block}`);
      expect(parsed.closing.map((c) => c.kind)).toEqual([kind]);
      expect(parsed.closing[0]?.text).toBe(block);
    });

    it('does not take a sentence about contact for a contact block', () => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\nKontakt zu den Bürgerinnen und Bürgern ist der Stadt besonders wichtig.`);
      expect(parsed.closing).toEqual([]);
      expect(parsed.paragraphs).toHaveLength(1);
    });

    it('recognises "Über …" as boilerplate, not as the message', () => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\nÜber die Stadtwerke Musterstadt\nDie Stadtwerke versorgen 120.000 Menschen.\n\nPressekontakt:\nStadtwerke`);
      expect(parsed.boilerplate).toEqual(['Über die Stadtwerke Musterstadt Die Stadtwerke versorgen 120.000 Menschen.']);
      expect(parsed.paragraphs).toEqual([]);
      expect(parsed.closing.map((c) => c.kind)).toEqual(['contact']);
    });

    it('separates a contact block that follows the last paragraph without a blank line', () => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\nPressekontakt: Stadt Musterstadt, Tel. 0221 123456`);
      expect(parsed.lead).toBe(LEAD);
      expect(parsed.closing.map((c) => c.kind)).toEqual(['contact']);
    });
  });

  describe('messy input', () => {
    it('copes with a single-line release', () => {
      const line = `Titel der neuen Mitteilung Musterstadt, 12.03.2024 – ${LEAD} Zweiter Satz mit mehr Inhalt für alle. Pressekontakt: Stadt Musterstadt, Tel. 0221 123456 Impressum Stadt Musterstadt`;
      const parsed = parseRelease(line);
      expect(parsed.title).toBe('Titel der neuen Mitteilung');
      expect(parsed.dateline?.text).toBe('Musterstadt, 12.03.2024');
      expect(parsed.lead).toBe(`${LEAD} Zweiter Satz mit mehr Inhalt für alle.`);
      expect(parsed.closing.map((c) => c.kind)).toEqual(['contact', 'imprint']);
    });

    it('puts back the space a web page lost after a full stop, never in addresses', () => {
      const parsed = parseRelease('Titel\n\nDie Stadt lädt ein.Alle Bürgerinnen und Bürger sind willkommen, Infos unter www.musterstadt.de/Fest.Html im Netz.Danke!');
      expect(parsed.lead).toBe('Die Stadt lädt ein. Alle Bürgerinnen und Bürger sind willkommen, Infos unter www.musterstadt.de/Fest.Html im Netz. Danke!');
      expect(parseRelease('Titel\n\nMail an info@Stadt.De und presse@musterstadt.Info').emails).toEqual(['info@Stadt.De', 'presse@musterstadt.Info']);
    });

    it('drops repeated page headers and page numbers, and joins a sentence broken by a stray blank line', () => {
      const text = [
        'Stadt Musterstadt – Pressestelle',
        'Pressemitteilung',
        '',
        'Titel der Mitteilung',
        '',
        'Die Stadt Musterstadt lädt alle Bürgerinnen und Bürger zum Tag der offenen Tür und',
        '   ',
        'zu einem Konzert auf dem Marktplatz ein.',
        '',
        'Seite 1 von 2',
        'Stadt Musterstadt – Pressestelle',
        'Pressemitteilung',
        '',
        'Der  Eintritt   ist frei.',
      ].join('\r\n');
      const parsed = parseRelease(text);
      expect(parsed.title).toBe('Titel der Mitteilung');
      expect(parsed.lead).toBe('Die Stadt Musterstadt lädt alle Bürgerinnen und Bürger zum Tag der offenen Tür und zu einem Konzert auf dem Marktplatz ein.');
      expect(parsed.paragraphs).toEqual(['Der Eintritt ist frei.']);
      expect(parsed.source).not.toMatch(/Seite 1|Pressestelle\nPressemitteilung\n\nDer/);
    });

    it('keeps an organisation name that only repeats in the contact block', () => {
      const parsed = parseRelease(`Stadt Musterstadt\n\nTitel der Mitteilung\n\n${LEAD}\n\nPressekontakt:\nStadt Musterstadt\nTel. 0221 123456`);
      expect(parsed.closing[0]?.text).toBe('Pressekontakt:\nStadt Musterstadt\nTel. 0221 123456');
    });

    it('reads images and their alt texts', () => {
      const parsed = parseRelease(`Titel\n\n${LEAD}\n\n![Das Rathaus](https://x.de/r.jpg)\n\n<img src="https://x.de/s.jpg">`);
      expect(parsed.images).toEqual([
        { url: 'https://x.de/r.jpg', alt: 'Das Rathaus' },
        { url: 'https://x.de/s.jpg', alt: '' },
      ]);
    });
  });
});

describe('stripContactData', () => {
  it.each([
    ['Neue Hotline 0800 1234567 für Eltern', 'Neue Hotline für Eltern'],
    ['Anmeldung unter Tel.: 0221 123456-7 bis Freitag', 'Anmeldung unter bis Freitag'],
    ['Fragen an presse@musterstadt.de senden', 'Fragen an senden'],
    ['Spenden an IBAN DE89 3704 0044 0532 0130 00 erbeten', 'Spenden an IBAN erbeten'],
    ['Am 8. November 2024 um 10:30 Uhr', 'Am 8. November 2024 um 10:30 Uhr'],
  ])('%j → %j', (text, expected) => {
    expect(stripContactData(text)).toBe(expected);
  });
});

describe('checkPost with guidelines', () => {
  const guidelines = { requiredHashtag: 'Musterstadt', signature: '^EB', maxHashtags: 2, bannedPhrases: ['alternativlos'] };

  it('reports a hand edit that breaks the guidelines, as errors', () => {
    const warnings = checkPost('twitter', { thread: ['Das ist alternativlos. #Kita #Schule #Sport'] }, { guidelines });
    expect(warnings.map((w) => [w.code, w.severity])).toEqual([
      ['GUIDELINE_BANNED_PHRASE', 'error'],
      ['GUIDELINE_HASHTAG_MISSING', 'error'],
      ['GUIDELINE_SIGNATURE_MISSING', 'error'],
      ['GUIDELINE_TOO_MANY_HASHTAGS', 'error'],
    ]);
    expect(warnings[1]?.message).toBe(
      'Dem Beitrag für X (Twitter) fehlt der Hashtag #Musterstadt, den die Social-Media-Richtlinien Ihrer Organisation für jeden Beitrag vorschreiben.',
    );
  });

  it('accepts a post that follows them', () => {
    expect(checkPost('mastodon', { text: 'Neues aus dem Rathaus. #Musterstadt ^EB' }, { guidelines })).toEqual([]);
  });

  it('warns about personal data and plain-http links in a post', () => {
    const warnings = checkPost('facebook', { text: 'Schreiben Sie an max.muster@web.de oder rufen Sie 0171 2345678 an: http://musterstadt.de' });
    expect(warnings.map((w) => [w.code, w.severity])).toEqual([
      ['PERSONAL_EMAIL', 'warning'],
      ['PERSONAL_PHONE', 'warning'],
      ['INSECURE_LINK', 'warning'],
    ]);
  });

  it('checks an article: phone numbers only outside the press contact, images without alt text', () => {
    const html = '<p>Hinweise unter 0381 4916-1616.</p>\n<p><img src="https://x.de/a.jpg" alt="" /></p>\n<p>Pressekontakt:<br />Tel. 0381 4916-3040</p>';
    expect(checkPost('blog', { title: 'T', html }).map((w) => [w.code, w.message])).toEqual([
      ['PERSONAL_PHONE', expect.stringContaining('0381 4916-1616')],
      ['IMAGE_ALT_MISSING', expect.stringContaining('https://x.de/a.jpg')],
    ]);
  });
});
