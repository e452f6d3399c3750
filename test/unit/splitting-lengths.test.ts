import fc from 'fast-check';
import { extractUrlsWithIndices, parseTweet } from 'twitter-text';
import { toCamelCaseHashtag } from '../../src/domain/splitting/hashtags';
import { forEachGrapheme, graphemeCount, mastodonLength, twitterLength, utf8Length } from '../../src/domain/splitting/lengths';
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

describe('measuring long text in linear time', () => {
  const seg = new Intl.Segmenter('de', { granularity: 'grapheme' });
  const unit = fc.constantFrom('a', 'ü', ' ', '\r', '\n', '\u0301', '\u200d', '👨', '👩', '🇩', '🇪', '\ufe0f', '🏽', '東', 'ᄀ', 'ᅡ', 'ᆨ', 'क', '्', 'ष', '\u0600');

  it('yields the graphemes of Intl.Segmenter, whatever the window', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (s, window) => {
        const out: string[] = [];
        forEachGrapheme(s, (g) => out.push(g), window);
        expect(out).toEqual(Array.from(seg.segment(s), (x) => x.segment));
      }),
      { numRuns: 3000 },
    );
  });

  // Texts longer than one measured piece (1,024 code units), cut at every kind of whitespace.
  const token = fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.constantFrom('www.musterstadt.de', 'musterstadt.de/abfall', 'a.b', '東京.jp', '😀', '👨‍👩‍👧', '#Kita', '@presse', 'e\u0301', '\ufeffhttps://x.de'),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.stringMatching(/^[a-zäöüß.]{1,30}$/),
  );
  const space = fc.constantFrom(' ', '\n', '\t', '\u00a0', '\u2002', '\u3000', '\r\n', '  ');
  const longText = fc.array(fc.tuple(token, space), { minLength: 60, maxLength: 160 }).map((pairs) => pairs.map(([t, s]) => t + s).join(''));

  it('counts a long text for X exactly as twitter-text counts it whole', () => {
    fc.assert(
      fc.property(longText, (s) => {
        expect(twitterLength(s)).toBe(parseTweet(s).weightedLength);
      }),
      { numRuns: 150 },
    );
  });

  it('never counts a run longer than a measured piece shorter than X does', () => {
    // twitter-text on such a run is the slow reference: few, short runs.
    const run = fc.array(fc.constantFrom('x', '東', '.', 'https://', 'a.de/', '😀', '-', '/'), { minLength: 420, maxLength: 480 }).map((p) => p.join(''));
    fc.assert(
      fc.property(run, (s) => {
        fc.pre(s.length > 1024 && !/\s/.test(s));
        expect(twitterLength(s)).toBeGreaterThanOrEqual(parseTweet(s).weightedLength);
        expect(mastodonLength(s)).toBeGreaterThanOrEqual(mastodonReference(s));
      }),
      { numRuns: 15 },
    );
  });

  function mastodonReference(s: string): number {
    const urls = extractUrlsWithIndices(s, { extractUrlsWithoutProtocol: false });
    let rest = s;
    for (const u of [...urls].reverse()) rest = rest.slice(0, u.indices[0]) + rest.slice(u.indices[1]);
    return slowGraphemes(rest) + 23 * urls.length;
  }

  it.each([
    ['x', 'x'],
    ['東', '東'],
    ['東.', '東.'],
    ['😀', '😀'],
    ['e + accent', 'e\u0301'],
  ])('measures 80,000 characters of %s in about eight times the time of 10,000, not 64 times', (_name, unitText) => {
    const time = (n: number): number => {
      const text = unitText.repeat(n / unitText.length);
      const started = process.hrtime.bigint();
      twitterLength(text);
      mastodonLength(`https://a.de ${text}`);
      graphemeCount(text);
      return Number(process.hrtime.bigint() - started);
    };
    // Both sizes once first, so the JIT has settled before anything counts; then alternating,
    // and the fastest of each: the machine is shared, and a pause only ever adds time.
    time(10_000);
    time(80_000);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      small.push(time(10_000));
      large.push(time(80_000));
    }
    // Linear work takes about 8×, quadratic 64×: the wide gap leaves room for a noisy machine.
    expect(Math.min(...large) / Math.min(...small)).toBeLessThan(24);
  });
});
