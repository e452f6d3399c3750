import { containsContactData } from '../../src/domain/splitting/contact';

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
