import { composePost, parseRelease } from '../../src/domain/splitting';
import { containsContactData } from '../../src/domain/splitting/contact';
import { capLead } from '../../src/domain/splitting/lead';

describe('containsContactData', () => {
  it.each([
    'Tel.: 030-29 33 50-0',
    'Telefon: 030 293350-0',
    'erreichbar unter +49 221 987654',
    'erreichbar unter (0221) 98 76 54',
    'erreichbar unter 0221 / 98 76 54',
    'eMail: Hennig@kbw.de',
    'Mail an info (at) kbw.de',
    'Fax 0221 12345',
    'am 06/09/2012 oder unter 0221 987654',
  ])('finds contact data in %j', (text) => {
    expect(containsContactData(text)).toBe(true);
  });

  it.each([
    'am 06.09.2012 sowie 21.03.2013',
    'am 06/09/2012 im Rathaus',
    'um 10:30 Uhr oder 12.00 Uhr',
    'nach DIN EN ISO 9001:2008 zertifiziert',
    'seit mehr als 20 Jahren',
    'Kosten von 1.500 Euro',
    'Postanschrift: 01067 Dresden',
    'in den Jahren 2012-2015',
    'Verwaltung 2.0 und www.kbw.de',
  ])('does not mistake %j for contact data', (text) => {
    expect(containsContactData(text)).toBe(false);
  });
});

describe('end matter in a release pasted as one line', () => {
  // Counterexamples the property tests found (seeds 1124593413 and 1035499269): a list run into
  // the line ends on a word of a sentence, so nothing but the opener marks the end matter.
  const SOCIAL = ['facebook', 'twitter', 'mastodon', 'bluesky'] as const;
  const opts = { articleUrl: 'https://presse.musterstadt.example/', mastodonMaxChars: 100 };
  const socialText = (release: { title: string; body: string }) =>
    SOCIAL.flatMap((channel) => {
      const content = composePost(release, channel, opts).content;
      return content.thread ?? [content.text ?? ''];
    }).join('\n');

  it('keeps an imprint after "am" out of every social post, and the sentence before it in', () => {
    const release = {
      title: 'Neues Stadt Stadt äß Angebot',
      body:
        'Musterstadt, den 12.03.2024. Die Stadt Donaudampfschifffahrtsgesellschaft Stadt Stadt äü. - Stadt - am Impressum ' +
        'Geheimkontakt Stadt Musterstadt, Rathausplatz 1 Geheimkontakt Die Stadt Stadt Stadt Stadt Stadt.',
    };
    const text = socialText(release);
    expect(text).not.toMatch(/Impressum|Geheimkontakt|Rathausplatz/);
    expect(composePost(release, 'facebook', opts).content.text).toContain('Die Stadt Donaudampfschifffahrtsgesellschaft Stadt Stadt äü.');
  });

  it('keeps an agency footer after "und" out of every social post', () => {
    const release = {
      title: 'Neues Stadt Stadt Stadt Angebot',
      body:
        'Musterstadt, 12.03.2024 – Die Stadt Stadt Rathaus Stadt Stadt Bürgerinnen. - Öffentlichkeitsarbeit Stadt - Stadt 8. November 2004 ' +
        '12.00 Uhr und OTS: Geheimkontakt Polizeipräsidium Rostock newsroom: https://www.presseportal.de/nr/108746',
    };
    expect(socialText(release)).not.toMatch(/OTS|Geheimkontakt|presseportal/);
    const closing = parseRelease(release.body).closing;
    expect(closing[0]).toEqual({ kind: 'agency', text: expect.stringMatching(/^OTS: Geheimkontakt/) });
  });

  it('ends the lead before a sentence with contact data or a word of end matter, keeping whole sentences', () => {
    expect(capLead('Die Stadt lädt ein. Anmeldung unter Tel. 0221 987654 bis Freitag. Der Rest.').text).toBe('Die Stadt lädt ein.');
    expect(capLead('Die Stadt lädt ein. Das Rathaus öffnet. - Kita - im Impressum Stadt Musterstadt.').text).toBe(
      'Die Stadt lädt ein. Das Rathaus öffnet.',
    );
    expect(capLead('Der Kita-Neubau am Rathaus z. B. Impressum Stadt').text).toBe('');
    expect(capLead('Die Stadt lädt ein. Das Rathaus öffnet.')).toEqual({ text: 'Die Stadt lädt ein. Das Rathaus öffnet.', shortened: false });
  });
});
