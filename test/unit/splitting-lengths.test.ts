import fc from 'fast-check';
import { extractUrlsWithIndices } from 'twitter-text';
import { toCamelCaseHashtag } from '../../src/domain/splitting/hashtags';
import { graphemeCount, mastodonLength, utf8Length } from '../../src/domain/splitting/lengths';
import { packThread, threadCounter } from '../../src/domain/splitting/pack';

const segmenter = new Intl.Segmenter('de', { granularity: 'grapheme' });
const slowGraphemes = (s: string): number => [...segmenter.segment(s)].length;
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('a', 'ä', 'e', '\u0301', '\u200d', '👨', '\ufe0f', '\r', '\n', ' ', 'ß', '„', '–', '🇩', '🇪'), maxLength: 60 }),
);

describe('lengths', () => {
  it('counts graphemes exactly as Intl.Segmenter, fast path or not', () => {
    fc.assert(fc.property(anyText, (s) => graphemeCount(s) === slowGraphemes(s)), { numRuns: 2000 });
  });

  it('counts Mastodon length as graphemes with every http(s) URL as 23', () => {
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
    const text = fc.array(fc.oneof(anyText, url, fc.constant('www.example.de')), { maxLength: 6 }).map((p) => p.join(' '));
    fc.assert(
      fc.property(text, (s) => {
        const urls = extractUrlsWithIndices(s, { extractUrlsWithoutProtocol: false });
        let rest = s;
        for (const u of [...urls].reverse()) rest = rest.slice(0, u.indices[0]) + rest.slice(u.indices[1]);
        return mastodonLength(s) === slowGraphemes(rest) + 23 * urls.length;
      }),
      { numRuns: 2000 },
    );
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('aä€😀')).toBe(1 + 2 + 3 + 4);
  });
});

describe('toCamelCaseHashtag', () => {
  it.each([
    ['Bürgerbeteiligung', '#Bürgerbeteiligung'],
    ['social media', '#SocialMedia'],
    ['#e-government', '#EGovernment'],
    ['Tag der offenen Tür 2025', '#TagDerOffenenTür2025'],
    ['KBW', '#KBW'],
    ['2025', null],
    [' – ', null],
  ])('%j → %j', (input, tag) => {
    expect(toCamelCaseHashtag(input)).toBe(tag);
  });
});

describe('packThread', () => {
  const fits = (t: string): boolean => t.length <= 30;

  it('fills parts at sentence boundaries and numbers them', () => {
    const units = ['Eins zwei drei.', 'Vier fünf sechs.', 'Sieben acht.'].map((text, i) => ({ text, sep: i === 0 ? '' : ' ' }));
    expect(packThread(units, { fits: (t) => t.length <= 36, counter: threadCounter }).parts).toEqual([
      'Eins zwei drei. (1/2)',
      'Vier fünf sechs. Sieben acht. (2/2)',
    ]);
  });

  it('keeps the first-part tail with the first part', () => {
    const units = [{ text: 'Ein Satz, der etwas länger ist.', sep: '' }];
    const packed = packThread(units, { fits, firstTail: 'https://x.de', counter: threadCounter });
    expect(packed.parts[0]).toBe('Ein Satz,\n\nhttps://x.de (1/2)');
    expect(packed.parts.every(fits)).toBe(true);
    expect(packed.splitSentence).toBe(true);
  });

  it('moves a clause that does not fit beside the tail to the next part', () => {
    const units = [{ text: 'Einleitungssatzteil, und der Rest.', sep: '' }];
    const packed = packThread(units, { fits, firstTail: 'https://example.de/x', counter: threadCounter });
    expect(packed.parts).toEqual(['https://example.de/x (1/3)', 'Einleitungssatzteil, (2/3)', 'und der Rest. (3/3)']);
  });

  it('cuts only a word longer than a whole part, and says so', () => {
    const packed = packThread([{ text: `kurz ${'x'.repeat(50)}`, sep: '' }], { fits, counter: threadCounter });
    expect(packed.parts.every(fits)).toBe(true);
    // 50 x in parts of 30 minus " (i/4)": 24 + 24 + 2.
    expect(packed.parts).toEqual(['kurz (1/4)', `${'x'.repeat(24)} (2/4)`, `${'x'.repeat(24)} (3/4)`, 'xx (4/4)']);
    expect(packed.splitWord).toBe(true);
  });
});
