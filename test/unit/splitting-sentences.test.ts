import fc from 'fast-check';
import { splitAtoms, splitClauses, splitSentences, splitWords } from '../../src/domain/splitting/sentences';

describe('splitSentences', () => {
  it('splits at ordinary sentence ends', () => {
    expect(splitSentences('Die Stadt lädt ein. Alle sind willkommen! Kommen Sie? Ja.')).toEqual([
      'Die Stadt lädt ein.',
      'Alle sind willkommen!',
      'Kommen Sie?',
      'Ja.',
    ]);
  });

  it.each([
    ['Das Kommunale Bildungswerk e. V. Berlin lädt ein. Danach folgt mehr.', 'Das Kommunale Bildungswerk e. V. Berlin lädt ein.'],
    ['Themen sind z. B. Recht und Datenschutz. Danach folgt mehr.', 'Themen sind z. B. Recht und Datenschutz.'],
    ['Es sprechen u. a. Gäste aus Bonn. Danach folgt mehr.', 'Es sprechen u. a. Gäste aus Bonn.'],
    ['Das Amt, d. h. Die Verwaltung, lädt ein. Danach folgt mehr.', 'Das Amt, d. h. Die Verwaltung, lädt ein.'],
    ['Es spricht Dr. Müller mit Prof. Schmidt. Danach folgt mehr.', 'Es spricht Dr. Müller mit Prof. Schmidt.'],
    ['Das steht in Vorlage Nr. 12 und Abs. 3 der Satzung. Danach folgt mehr.', 'Das steht in Vorlage Nr. 12 und Abs. 3 der Satzung.'],
    ['Anmeldung unter Tel. 030 123456 oder Fax. 030 654321. Danach folgt mehr.', 'Anmeldung unter Tel. 030 123456 oder Fax. 030 654321.'],
    ['Es kommen ca. 300 Gäste bzw. Mehr als erwartet. Danach folgt mehr.', 'Es kommen ca. 300 Gäste bzw. Mehr als erwartet.'],
    ['Treffpunkt ist die Hauptstr. 5 in Bonn. Danach folgt mehr.', 'Treffpunkt ist die Hauptstr. 5 in Bonn.'],
    ['Es gibt Brot, Käse usw. Sowie Getränke etc. Und Musik. Danach folgt mehr.', 'Es gibt Brot, Käse usw. Sowie Getränke etc. Und Musik.'],
    ['Die Feier ist am 1. April im Rathaus. Danach folgt mehr.', 'Die Feier ist am 1. April im Rathaus.'],
    ['Wir feiern den 20. Geburtstag des Vereins. Danach folgt mehr.', 'Wir feiern den 20. Geburtstag des Vereins.'],
    ['Termine: 06.09.2012 sowie 21.03.2013 in Berlin. Danach folgt mehr.', 'Termine: 06.09.2012 sowie 21.03.2013 in Berlin.'],
    ['Das Seminar am 06. 09. 2012 ist voll. Danach folgt mehr.', 'Das Seminar am 06. 09. 2012 ist voll.'],
    ['Beginn ist um 10:30 Uhr im Saal. Danach folgt mehr.', 'Beginn ist um 10:30 Uhr im Saal.'],
    ['Beginn ist um 12.00 Uhr im Saal. Danach folgt mehr.', 'Beginn ist um 12.00 Uhr im Saal.'],
    ['Verantwortlich nach V.i.S.d.P. Herr Meier aus Bonn. Danach folgt mehr.', 'Verantwortlich nach V.i.S.d.P. Herr Meier aus Bonn.'],
    ['Es helfen Vereine, Kirchen u. v. a. Gruppen mit. Danach folgt mehr.', 'Es helfen Vereine, Kirchen u. v. a. Gruppen mit.'],
    ['Es spricht Bürgermeister a. D. Hans Beispiel. Danach folgt mehr.', 'Es spricht Bürgermeister a. D. Hans Beispiel.'],
    ['Es spricht der stellv. Landrat Max Muster. Danach folgt mehr.', 'Es spricht der stellv. Landrat Max Muster.'],
    ['Das regelt § 43 Abs. 2 Nr. 5 der Satzung. Danach folgt mehr.', 'Das regelt § 43 Abs. 2 Nr. 5 der Satzung.'],
    ['Die Wahl war am 8. November 2004 in Magdeburg. Danach folgt mehr.', 'Die Wahl war am 8. November 2004 in Magdeburg.'],
    ['Es sprach Dipl.-Ing. Peter Muster zur Lage. Danach folgt mehr.', 'Es sprach Dipl.-Ing. Peter Muster zur Lage.'],
    ['Geöffnet ist Mo.–Fr. Von 8 bis 12 Uhr. Danach folgt mehr.', 'Geöffnet ist Mo.–Fr. Von 8 bis 12 Uhr.'],
  ])('does not split after an abbreviation, ordinal, date or time: %s', (text, first) => {
    const sentences = splitSentences(text);
    expect(sentences[0]).toBe(first);
    expect(sentences).toHaveLength(2);
  });

  it('splits after a time or year that ends a sentence', () => {
    expect(splitSentences('Beginn ist um 12.00 Uhr. Danach gibt es Essen.')).toHaveLength(2);
    expect(splitSentences('Das war im Jahr 2012. Heute ist vieles anders.')).toHaveLength(2);
  });

  it('keeps a quoted question inside its sentence and splits after a quoted sentence', () => {
    expect(splitSentences('„Wie geht es weiter?“, fragte sie. Dann ging sie.')).toEqual([
      '„Wie geht es weiter?“, fragte sie.',
      'Dann ging sie.',
    ]);
    expect(splitSentences('Er sagte: „Das ist gut.“ Dann ging er.')).toEqual(['Er sagte: „Das ist gut.“', 'Dann ging er.']);
  });

  it('ends a sentence after "e.V." or "u.v.a." when the next word can only start one', () => {
    expect(splitSentences('Das Kommunale Bildungswerk e.V. ist zertifiziert. Der Hauptsitz des KBW e.V. befindet sich in Berlin.')).toHaveLength(2);
    expect(splitSentences('Gesucht werden Schornsteinfeger u.v.a. Auch Privatleute kommen.')).toEqual([
      'Gesucht werden Schornsteinfeger u.v.a.',
      'Auch Privatleute kommen.',
    ]);
  });

  it('does not split before a lower-case word', () => {
    expect(splitSentences('Die Kosten betragen 3 Mio. bis 4 Mio. pro Jahr. und mehr')).toHaveLength(1);
  });

  it('collapses whitespace and drops nothing', () => {
    expect(splitSentences('  Eins.\n\nZwei   drei.  ')).toEqual(['Eins.', 'Zwei drei.']);
    expect(splitSentences('')).toEqual([]);
  });

  it('cuts a sentence into clauses after commas and before dashes', () => {
    expect(splitClauses('Social Media – ein Weg, der sich lohnt; oft jedenfalls: sagen viele')).toEqual([
      'Social Media',
      '– ein Weg,',
      'der sich lohnt;',
      'oft jedenfalls:',
      'sagen viele',
    ]);
  });

  it('groups words a thread must never cut into atoms', () => {
    expect(splitAtoms('Am 8. November 2004 um 10:30 Uhr sprach Prof. Dr. Anna Beispiel gemäß § 43 Abs. 2, z. B. vor ca. 300 Gästen für 5 Euro.')).toEqual([
      'Am',
      '8. November 2004',
      'um',
      '10:30 Uhr',
      'sprach',
      'Prof. Dr. Anna',
      'Beispiel',
      'gemäß',
      '§ 43',
      'Abs. 2,',
      'z. B.',
      'vor',
      'ca. 300',
      'Gästen',
      'für',
      '5 Euro.',
    ]);
    expect(splitAtoms('Die Seminare am 06. 09. 2012 und 12.00 Uhr in der Hauptstr. 5 mit dem stellv. Landrat a. D.')).toEqual([
      'Die',
      'Seminare',
      'am',
      '06. 09. 2012',
      'und',
      '12.00 Uhr',
      'in',
      'der',
      'Hauptstr. 5',
      'mit',
      'dem',
      'stellv. Landrat',
      'a. D.',
    ]);
  });

  // Tokens that must never end a sentence when the text goes on with a capital.
  const ABBREVIATION_PHRASES = ['z. B.', 'e. V.', 'u. a.', 'u. v. a.', 'd. h.', 'a. D.', 'Dr.', 'Prof.', 'Nr.', 'Tel.', 'Fax.', 'ca.', 'bzw.', 'Abs.', 'Str.', 'stellv.', 'usw.', 'etc.', '1.', '21.', '§ 43', '8. November 2004'];
  const word = fc.constantFrom('Stadt', 'Bürger', 'Verwaltung', 'Rathaus', 'Seminar', 'Öffentlichkeit', 'die', 'und', 'am', 'April', '06.09.2012', '10:30', 'Uhr', '12.00', 'Müller');
  const sentence = fc
    .tuple(fc.array(fc.oneof(word, fc.constantFrom(...ABBREVIATION_PHRASES)), { minLength: 1, maxLength: 12 }), fc.constantFrom('.', '!', '?'))
    .map(([words, end]) => `${['Die', ...words].join(' ')}${end}`);

  it('never loses text and never ends a sentence on an abbreviation or ordinal', () => {
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 8 }), (sentences) => {
        const text = sentences.join(' ');
        const split = splitSentences(text);
        if (split.join(' ') !== text) return false;
        // Boolean checks, not expect(): a million expect() calls alone take seconds.
        return split.slice(0, -1).every((s) => {
          const last = splitWords(s).slice(-2).join(' ');
          return !ABBREVIATION_PHRASES.some((a) => last.endsWith(` ${a}`) || last === a);
        });
      }),
      { numRuns: 2000 },
    );
  });
});
