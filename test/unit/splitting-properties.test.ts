import fc from 'fast-check';
import { extractUrlsWithIndices, parseTweet } from 'twitter-text';
import { composePost } from '../../src/domain/splitting';
import type { ChannelType, PostContent, ReleaseText } from '../../src/domain/types';

const RUNS = 2000;
const TIMEOUT = 120_000;
const SOCIAL: readonly ChannelType[] = ['facebook', 'twitter', 'mastodon', 'bluesky'];

// Independent measures, written out here rather than imported, so the check does not share
// the code it checks.
const segmenter = new Intl.Segmenter('de', { granularity: 'grapheme' });
const graphemeCount = (s: string): number => [...segmenter.segment(s)].length;
function mastodonCount(s: string): number {
  const urls = extractUrlsWithIndices(s, { extractUrlsWithoutProtocol: false });
  let rest = s;
  for (const u of [...urls].reverse()) rest = rest.slice(0, u.indices[0]) + rest.slice(u.indices[1]);
  return graphemeCount(rest) + 23 * urls.length;
}
function withinLimit(channel: ChannelType, part: string, mastodonMax: number): boolean {
  switch (channel) {
    case 'twitter':
      return parseTweet(part).weightedLength <= 280;
    case 'mastodon':
      return mastodonCount(part) <= mastodonMax;
    case 'bluesky':
      return graphemeCount(part) <= 300 && new TextEncoder().encode(part).length <= 3000;
    case 'facebook':
      return part.length <= 63206;
    default:
      return true;
  }
}
const parts = (c: PostContent): string[] => c.thread ?? (c.text !== undefined ? [c.text] : []);

// ---- Well-formed German releases: plain text, words from a fixed vocabulary ----

const VOCABULARY = [
  'Stadt', 'Bürgerinnen', 'Bürger', 'Verwaltung', 'Rathaus', 'Öffentlichkeitsarbeit', 'Straße', 'Größe', 'die', 'der',
  'und', 'für', 'mit', 'am', 'im', 'lädt', 'ein', 'Seminar', 'Social-Media-Arbeit', 'Mitarbeiter/innen', '„Like“',
  'z. B.', 'e. V.', 'u. a.', 'Dr.', 'Prof.', 'Nr. 5', 'ca. 300', 'bzw.', 'Tel.', 'usw.', '1. April', '06.09.2012',
  '10:30 Uhr', '12.00 Uhr', '2025', '(Bonn)', 'Berlin,', 'Köln;', '–', 'www.musterstadt.example', '🎉', '👨‍👩‍👧',
  'Kontaktaufnahme', 'Impressionen', '東京', 'Donaudampfschifffahrtsgesellschaft',
];
const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-ZÄÖÜa-zäöüß]{1,18}$/) },
);
const sentence = fc
  .tuple(fc.constantFrom('Die', 'Das', 'Am', 'Wir', 'Heute'), fc.array(word, { minLength: 1, maxLength: 40 }), fc.constantFrom('.', '!', '?'))
  .map(([first, words, end]) => `${first} ${words.join(' ')}${end}`);
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 6 }).map((s) => s.join(' '));

const EMAIL = 'presse@musterstadt.example';
const PHONE = '0221 123456-7';
const SECRET = 'Geheimkontakt';
const AFTER = 'Nachkontakt';
const contactStarter = fc.constantFrom(
  'Pressekontakt:', 'Kontakt', 'Kontakt:', 'Rückfragen:', 'Rückfragen an: Amt für Kommunikation', 'Ansprechpartnerin:',
  'Impressum', 'V.i.S.d.P.:', 'Original-Content von: Stadt Musterstadt',
);
const contactBlock = fc
  .tuple(contactStarter, fc.boolean(), fc.boolean())
  .map(([starter, separateLines, blankAfterStarter]) => {
    const lines = [`${SECRET} Stadt Musterstadt`, `Telefon: ${PHONE}`, `E-Mail: ${EMAIL}`];
    return `${starter}${blankAfterStarter ? '\n\n' : '\n'}${lines.join(separateLines ? '\n\n' : '\n')}`;
  });
/** Body paragraphs that carry contact data themselves must never become the lead. */
const paragraphWithContactData = fc
  .tuple(paragraph, fc.constantFrom(`per E-Mail an ${EMAIL}`, `unter ${PHONE}`, `unter Tel. ${PHONE}`))
  .map(([p, data]) => `${p} Anmeldung ${data} bis Freitag.`);
const noise = fc.constantFrom('ANZEIGE', 'ANZEIGE: Home » Presse » Mitteilungen', 'Startseite » Presse', 'Berlin, 1. April 2025', '## Zwischentitel');

const wellFormedRelease = fc.record({
  title: fc.array(word, { minLength: 1, maxLength: 30 }).map((w) => w.join(' ')),
  body: fc
    .tuple(
      fc.array(noise, { maxLength: 3 }),
      fc.array(fc.oneof({ weight: 4, arbitrary: paragraph }, { weight: 1, arbitrary: paragraphWithContactData }), { maxLength: 6 }),
      fc.option(contactBlock, { nil: undefined }),
      fc.array(paragraph, { maxLength: 2 }),
    )
    .map(([n, paragraphs, contact, after]) =>
      [...n, ...paragraphs, ...(contact ? [contact, ...after.map((p) => `${AFTER} ${p}`)] : [])].join('\n\n'),
    ),
});
const slug = fc.stringMatching(/^[a-z0-9-]{0,60}$/);
const options = fc.record({
  articleUrl: fc.option(slug.map((s) => `https://presse.musterstadt.example/${s}`), { nil: undefined }),
  hashtags: fc.array(fc.constantFrom('Bürgerbeteiligung', 'social media', 'Musterstadt', 'e-government', 'Rathaus 2025'), { maxLength: 5 }),
  mastodonMaxChars: fc.integer({ min: 100, max: 1000 }),
});

// ---- Wild input: any Unicode, Markdown and HTML, overlong words and URLs ----

const wildText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.string({ unit: fc.constantFrom('a', 'ü', ' ', '.', '\n', '#', '*', '-', '1', '<', '>', '[', ']', '(', ')', '😀', '東', 'x'), maxLength: 400 }),
  fc.stringMatching(/^[a-z]{280,700}$/),
  paragraph,
);
const wildRelease = fc.record({
  title: wildText,
  subtitle: fc.option(wildText, { nil: null }),
  dateline: fc.option(wildText, { nil: null }),
  body: fc.array(wildText, { maxLength: 6 }).map((p) => p.join('\n\n')),
});
const wildOptions = fc.record({
  articleUrl: fc.option(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string()), { nil: null }),
  hashtags: fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }),
  mastodonMaxChars: fc.integer({ min: 100, max: 5000 }),
});

describe('composePost', () => {
  it(
    'never exceeds any network limit, for any input',
    () => {
      fc.assert(
        fc.property(fc.oneof(wildRelease, wellFormedRelease), fc.oneof(wildOptions, options), (release: ReleaseText, opts) => {
          for (const channel of SOCIAL) {
            const post = composePost(release, channel, opts);
            const ps = parts(post.content);
            if (ps.length === 0) return false;
            if (!ps.every((p) => withinLimit(channel, p, opts.mastodonMaxChars))) return false;
            if (post.warnings.some((w) => w.code === 'LIMIT_EXCEEDED')) return false;
            if (ps.length > 1 && ps.some((p) => p.trim() === '')) return false;
          }
          return true;
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'never emits a word of a social post that is not whole in the source',
    () => {
      fc.assert(
        fc.property(wellFormedRelease, options, (release, opts) => {
          const sourceWords = new Set(`${release.title}\n${release.body}`.split(/\s+/));
          const hashtags = new Set(['#Bürgerbeteiligung', '#SocialMedia', '#Musterstadt', '#EGovernment', '#Rathaus2025']);
          for (const channel of SOCIAL) {
            const post = composePost(release, channel, opts);
            if (post.warnings.some((w) => w.code === 'WORD_SPLIT')) return false;
            for (const part of parts(post.content)) {
              const words = part.replace(/ \(\d+\/\d+\)$/, '').split(/\s+/).filter((w) => w !== '');
              const foreign = words.filter((w) => !sourceWords.has(w) && w !== opts.articleUrl && !hashtags.has(w));
              if (foreign.length > 0) return false;
            }
          }
          return true;
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'never puts contact data or anything after a contact block into a social post',
    () => {
      fc.assert(
        fc.property(wellFormedRelease, options, (release, opts) => {
          return SOCIAL.every((channel) =>
            parts(composePost(release, channel, opts).content).every(
              (p) => !p.includes(EMAIL) && !p.includes(PHONE) && !p.includes(SECRET) && !p.includes(AFTER),
            ),
          );
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'numbers thread parts 1/n … n/n, and a single post not at all',
    () => {
      fc.assert(
        fc.property(fc.oneof(wildRelease, wellFormedRelease), options, (release: ReleaseText, opts) => {
          for (const channel of ['twitter', 'mastodon', 'bluesky'] as const) {
            const thread = composePost(release, channel, opts).content.thread;
            if (!thread) continue;
            // X always gets a thread; one of a single post carries no counter.
            if (thread.length === 1 ? / \(\d+\/\d+\)$/.test(thread[0] ?? '') : !thread.every((p, i) => p.endsWith(` (${i + 1}/${thread.length})`))) {
              return false;
            }
          }
          return true;
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'always renders blog HTML without scripts or handlers',
    () => {
      fc.assert(
        fc.property(wildRelease, (release) => {
          const html = composePost(release, 'blog', {}).content.html ?? '';
          return !/<script|<style|\son\w+\s*=|javascript:/i.test(html.replace(/>[^<]*</g, '><'));
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
