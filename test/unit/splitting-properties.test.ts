// Property tests over generated text (any Unicode, Markdown, HTML) and generated structure
// (datelines, embargo lines, quotes, lists, boilerplate, every kind of closing block, pasted as
// one line, from Word or with stray blank lines). Every property over well-formed or structured
// input checks all three invariants of the issue (limits, whole words, no contact data) on each
// input it generates; the suite counts the inputs each invariant was checked on and requires
// 10,000 of each. Set HEROLD_PROPERTY_SCALE=10 for a long run.

import fc from 'fast-check';
import { composePost, type Guidelines } from '../../src/domain/splitting';
import type { ChannelType, PostContent, ReleaseText } from '../../src/domain/types';
import { withinLimit } from '../helpers/independent-limits';

// A fixed seed keeps CI reproducible; HEROLD_PROPERTY_SEED=random (or any number) explores new
// inputs. A failure prints its seed: rerun with HEROLD_PROPERTY_SEED=<seed>.
if (process.env.HEROLD_PROPERTY_SEED !== 'random') fc.configureGlobal({ seed: Number(process.env.HEROLD_PROPERTY_SEED) || 20261127 });
const SCALE = Math.max(1, Number(process.env.HEROLD_PROPERTY_SCALE) || 1);
const runs = (n: number): number => n * SCALE;
/** Runs per property. */
const RUN_COUNTS = {
  limitsAnyInput: 2000,
  wordsWellFormed: 1500,
  contactWellFormed: 1500,
  threadNumbering: 1000,
  blogHtml: 500,
  limitsStructure: 2500,
  wordsAndAtomsStructure: 1500,
  contactStructure: 1500,
  leadStructure: 1500,
} as const;
/** Inputs each invariant was actually checked on in this run. */
const checked = { limits: 0, words: 0, contact: 0 };
const TIMEOUT = 120_000 * SCALE;
const SOCIAL: readonly ChannelType[] = ['facebook', 'twitter', 'mastodon', 'bluesky'];

const parts = (c: PostContent): string[] => c.thread ?? (c.text !== undefined ? [c.text] : []);

/** The social posts of a release, composed once for all the checks of one input. */
function socialPosts(release: ReleaseText, opts: Parameters<typeof composePost>[2]) {
  return SOCIAL.map((channel) => {
    const post = composePost(release, channel, opts);
    const codes = post.warnings.map((w) => w.code);
    /** Errors of the composer itself; the organisation's guidelines may rightly report some. */
    const ownErrors = post.warnings.filter((w) => w.severity === 'error' && !w.code.startsWith('GUIDELINE_')).map((w) => w.code);
    return { channel, parts: parts(post.content), codes, ownErrors };
  });
}

/** Limits: every part within the network's own count, none empty in a thread, no LIMIT_EXCEEDED. */
function withinLimits(posts: ReturnType<typeof socialPosts>, mastodonMax: number): boolean {
  checked.limits++;
  return posts.every(
    (p) =>
      p.parts.length > 0 &&
      p.parts.every((part) => withinLimit(p.channel, part, mastodonMax)) &&
      !p.codes.includes('LIMIT_EXCEEDED') &&
      !(p.parts.length > 1 && p.parts.some((part) => part.trim() === '')),
  );
}

/** Whole words: every word of every part is a word of the source, or one the composer adds. */
function onlySourceWords(posts: ReturnType<typeof socialPosts>, sourceWords: ReadonlySet<string>, added: (word: string) => boolean): boolean {
  checked.words++;
  return posts.every(
    (p) =>
      !p.codes.includes('WORD_SPLIT') &&
      p.parts.every((part) =>
        part
          .replace(/ \(\d+\/\d+\)$/, '')
          .split(/\s+/)
          .every((w) => w === '' || sourceWords.has(w) || added(w)),
      ),
  );
}

/** No contact data: none of the markers (and nothing matching `pattern`) in any part. */
function noContactData(posts: ReturnType<typeof socialPosts>, markers: readonly string[], pattern?: RegExp): boolean {
  checked.contact++;
  return posts.every((p) => p.parts.every((part) => markers.every((m) => !part.includes(m)) && !(pattern?.test(part) ?? false)));
}

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
const WELL_FORMED_CONTACT = [EMAIL, PHONE, SECRET, AFTER];
const WELL_FORMED_TAGS = new Set(['#Bürgerbeteiligung', '#SocialMedia', '#Musterstadt', '#EGovernment', '#Rathaus2025']);
function wellFormedWords(release: ReleaseText, opts: { articleUrl?: string }, posts: ReturnType<typeof socialPosts>): boolean {
  const sourceWords = new Set(`${release.title}\n${release.body}`.split(/\s+/));
  return onlySourceWords(posts, sourceWords, (w) => w === opts.articleUrl || WELL_FORMED_TAGS.has(w));
}
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
        fc.property(fc.oneof(wildRelease, wellFormedRelease), fc.oneof(wildOptions, options), (release: ReleaseText, opts) =>
          withinLimits(socialPosts(release, opts), opts.mastodonMaxChars),
        ),
        { numRuns: runs(RUN_COUNTS.limitsAnyInput) },
      );
    },
    TIMEOUT,
  );

  it(
    'never emits a word of a social post that is not whole in the source',
    () => {
      fc.assert(
        fc.property(wellFormedRelease, options, (release, opts) => {
          const posts = socialPosts(release, opts);
          return wellFormedWords(release, opts, posts) && withinLimits(posts, opts.mastodonMaxChars) && noContactData(posts, WELL_FORMED_CONTACT);
        }),
        { numRuns: runs(RUN_COUNTS.wordsWellFormed) },
      );
    },
    TIMEOUT,
  );

  it(
    'never puts contact data or anything after a contact block into a social post',
    () => {
      fc.assert(
        fc.property(wellFormedRelease, options, (release, opts) => {
          const posts = socialPosts(release, opts);
          return noContactData(posts, WELL_FORMED_CONTACT) && withinLimits(posts, opts.mastodonMaxChars) && wellFormedWords(release, opts, posts);
        }),
        { numRuns: runs(RUN_COUNTS.contactWellFormed) },
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
        { numRuns: runs(RUN_COUNTS.threadNumbering) },
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
        { numRuns: runs(RUN_COUNTS.blogHtml) },
      );
    },
    TIMEOUT,
  );
});

// ---- Generated structure: the parts of a press release, in the shapes they arrive in ----

/** Words of a message: no contact data, some of every atom a thread must not cut. */
const MESSAGE_WORDS = [
  'Stadt', 'Bürgerinnen', 'Bürger', 'Verwaltung', 'Rathaus', 'Öffentlichkeitsarbeit', 'Straße', 'die', 'der', 'und',
  'für', 'mit', 'am', 'im', 'lädt', 'ein', 'Seminar', 'Social-Media-Arbeit', 'Kita', 'Radweg', 'z. B.', 'e. V.', 'u. a.',
  'u. v. a.', 'd. h.', 'a. D.', 'Dr. Erika', 'Prof. Dr. Max', 'Nr. 12', 'Abs. 2', '§ 43', 'ca. 300', 'bzw.', 'stellv.',
  'Hauptstr. 5', '1. April', '8. November 2004', '06.09.2012', '10:30 Uhr', '12.00 Uhr', '300 Euro', '2025', 'Köln;',
  'Berlin,', '–', 'www.musterstadt.example', '🎉', 'Donaudampfschifffahrtsgesellschaft',
];
/** Phrases whose words must stay in one post: a thread that parts them fails the property. */
const ATOMS = MESSAGE_WORDS.filter((w) => w.includes(' ') && w !== '–');
const messageWord = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...MESSAGE_WORDS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-zäöüß]{2,14}$/) },
);
const messageSentence = fc
  .tuple(fc.constantFrom('Die', 'Das', 'Am', 'Wir', 'Heute', 'Ab'), fc.array(messageWord, { minLength: 5, maxLength: 35 }), fc.constantFrom('.', '.', '!', '?'))
  .map(([first, words, end]) => `${first} ${words.join(' ')}${end}`);
const messageParagraph = fc.array(messageSentence, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '));

const place = fc.constantFrom('Musterstadt', 'Frankfurt am Main', 'Halle (Saale)', 'Landkreis Musterkreis', 'Rostock');
const date = fc.constantFrom('12.03.2024', '8. November 2004', '1. April 2025', '06.09.2012');
const datelinePrefix = fc.oneof(
  fc.tuple(place, date).map(([p, d]) => `${p}, ${d} – `),
  fc.tuple(place, date).map(([p, d]) => `${p}, den ${d}. `),
  place.map((p) => `${p} (ots) - `),
  fc.constant(''),
);
const speaker = fc.constantFrom('Bürgermeisterin Dr. Erika Beispiel', 'Landrat Max Muster', 'die Vorsitzende Maria Beispiel');
const quote = fc
  .tuple(fc.array(messageWord, { minLength: 3, maxLength: 20 }), fc.constantFrom('so', 'sagt', 'betont'), speaker, fc.constantFrom('„', '"'))
  .map(([words, verb, who, mark]) => `${mark}Wir ${words.join(' ')}${mark === '„' ? '“' : '"'}, ${verb} ${who}.`);
const listBlock = fc
  .tuple(fc.constantFrom('-', '*', '•', '1.', '✅', '📅', '–'), fc.array(fc.array(messageWord, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 5 }))
  .map(([marker, items]) => items.map((w, i) => `${marker === '1.' ? `${i + 1}.` : marker} ${w.join(' ')}`).join('\n'));
const boilerplate = messageParagraph.map((p) => `Über die Stadtwerke Musterstadt\n${p}`);

const SECRET_S = 'Geheimkontakt';
const EMAIL_S = 'pressestelle@musterstadt.example';
const PHONE_S = '0221 9876-5432';
const closingBlock = fc.constantFrom(
  `Pressekontakt:\n${SECRET_S} Stadt Musterstadt\nTelefon: ${PHONE_S}\nE-Mail: ${EMAIL_S}`,
  `Kontakt\n\n${SECRET_S} Amt für Kommunikation\n\nTel. ${PHONE_S}`,
  `Rückfragen bitte an:\n${SECRET_S} Polizeipräsidium Rostock, Pressestelle\n${EMAIL_S}`,
  `Ansprechpartnerin für die Presse: ${SECRET_S} Frau Beispiel, ${PHONE_S}`,
  `Impressum\n${SECRET_S} Stadt Musterstadt, Rathausplatz 1`,
  `V.i.S.d.P.: ${SECRET_S} Erika Beispiel`,
  `Original-Content von: ${SECRET_S} Polizeipräsidium Rostock, übermittelt durch news aktuell`,
  `OTS: ${SECRET_S} Polizeipräsidium Rostock\nnewsroom: https://www.presseportal.de/nr/108746`,
);
const headNoise = fc.constantFrom('ANZEIGE', 'Pressemitteilung Nr. 12/2024', 'Startseite » Presse » Mitteilungen', 'Stadt Musterstadt – Der Oberbürgermeister');
const layout = fc.constantFrom('blank', 'single-line', 'stray-blank-lines', 'word-crlf', 'double-spaces');

interface StructuredRelease {
  release: ReleaseText;
  lead: string;
  layout: string;
}

const structuredRelease: fc.Arbitrary<StructuredRelease> = fc
  .record({
    noise: fc.array(headNoise, { maxLength: 2 }),
    embargo: fc.option(fc.constantFrom('Sperrfrist: 12.03.2024, 10:00 Uhr', 'SPERRFRIST 14. März 2024, 11.00 Uhr'), { nil: undefined }),
    code: fc.constantFrom('', '', 'POL-HRO: ', 'FW-MS: '),
    // Headlines end on a word, not on "für" or "z. B.".
    title: fc.array(messageWord, { minLength: 3, maxLength: 14 }).map((w) => `Neues ${w.join(' ')} Angebot`),
    titleInBody: fc.boolean(),
    subtitle: fc.option(fc.array(messageWord, { minLength: 3, maxLength: 10 }).map((w) => `Unterzeile ${w.join(' ')} Ziel`), { nil: undefined }),
    dateline: datelinePrefix,
    lead: fc.array(messageSentence, { minLength: 1, maxLength: 3 }).map((s) => s.join(' ')),
    body: fc.array(fc.oneof(messageParagraph, quote, listBlock), { maxLength: 6 }),
    boilerplate: fc.option(boilerplate, { nil: undefined }),
    closing: fc.array(closingBlock, { maxLength: 3 }),
    after: fc.array(messageParagraph, { maxLength: 2 }),
    layout,
  })
  .filter((r) => r.lead.length >= 60)
  .map((r) => {
    const parts = [
      ...r.noise,
      ...(r.embargo ? [r.embargo] : []),
      ...(r.titleInBody ? [`${r.code}${r.title}`] : []),
      ...(r.subtitle && r.titleInBody ? [r.subtitle] : []),
      `${r.dateline}${r.lead}`,
      ...r.body,
      ...(r.boilerplate ? [r.boilerplate] : []),
      ...r.closing,
      ...(r.closing.length > 0 ? r.after.map((p) => `${SECRET_S} ${p}`) : []),
    ];
    let body: string;
    switch (r.layout) {
      case 'single-line':
        body = parts.join(' ').replace(/\n+/g, ' ');
        break;
      case 'stray-blank-lines':
        body = parts.join('\n\n\n \n').replace(/ und /g, ' und\n\n');
        break;
      case 'word-crlf':
        body = parts.map((p) => p.replace(/^- /gm, '\uf0b7\t')).join('\r\n\r\n');
        break;
      case 'double-spaces':
        body = parts.join('\n\n').replace(/ (die|der|und) /g, '  $1   ');
        break;
      default:
        body = parts.join('\n\n');
    }
    return { release: { title: `${r.code}${r.title}`, body }, lead: r.lead, layout: r.layout };
  });

const structureOptions = fc.record({
  articleUrl: slug.map((s) => `https://presse.musterstadt.example/${s}`),
  mastodonMaxChars: fc.integer({ min: 100, max: 1000 }),
  guidelines: fc.constantFrom<Guidelines | undefined>(
    undefined,
    { requiredHashtag: 'Musterstadt', maxHashtags: 3, hashtags: ['Kita', 'Radweg', 'Rathaus', 'social media'] },
    { requiredHashtag: 'Stadt Musterstadt', signature: '^EB', hashtags: ['Seminar', 'Verwaltung'] },
  ),
});
/** The words of a social post, without counters, links, hashtags and signature. */
const bodyWords = (part: string, url: string): string[] =>
  part
    .replace(/ \(\d+\/\d+\)$/, '')
    .split(/\s+/)
    .filter((w) => w !== '' && w !== url && !w.startsWith('#') && w !== '^EB');

/** Words a thread must not part, and the words the composer adds to a structured release. */
function structuredWords(release: ReleaseText, opts: { articleUrl: string }, posts: ReturnType<typeof socialPosts>): boolean {
  const sourceWords = new Set(`${release.title}\n${release.body}`.split(/\s+/));
  if (!onlySourceWords(posts, sourceWords, (w) => w === opts.articleUrl || w.startsWith('#') || w === '^EB')) return false;
  return posts.every(({ parts: ps }) => {
    const bodies = ps.map((p) => bodyWords(p, opts.articleUrl));
    for (let i = 0; i + 1 < bodies.length; i++) {
      const pair = `${bodies[i]?.at(-1) ?? ''} ${bodies[i + 1]?.[0] ?? ''}`;
      if (ATOMS.some((atom) => ` ${atom} `.includes(` ${pair} `))) return false;
    }
    return true;
  });
}
const STRUCTURED_CONTACT = [SECRET_S, EMAIL_S, PHONE_S];
const END_MATTER_IN_POST = /news aktuell|Impressum|V\.i\.S\.d\.P|Pressekontakt|@/;
/** All three invariants of the issue on one structured input. */
function structuredInvariants(release: ReleaseText, opts: { articleUrl: string; mastodonMaxChars: number }, posts = socialPosts(release, opts)): boolean {
  return withinLimits(posts, opts.mastodonMaxChars) && structuredWords(release, opts, posts) && noContactData(posts, STRUCTURED_CONTACT, END_MATTER_IN_POST);
}

describe('composePost on generated structure', () => {
  it(
    'never exceeds a limit on any channel, and never reports an error of its own',
    () => {
      fc.assert(
        fc.property(structuredRelease, structureOptions, ({ release }, opts) => {
          for (const channel of ['blog', 'wordpress'] as const) if (!composePost(release, channel, opts).content.html) return false;
          const posts = socialPosts(release, opts);
          const ownErrors = posts.some((p) => p.ownErrors.length > 0);
          return !ownErrors && structuredInvariants(release, opts, posts);
        }),
        { numRuns: runs(RUN_COUNTS.limitsStructure) },
      );
    },
    TIMEOUT,
  );

  it(
    'emits only whole words of the source and never parts a date, time, abbreviation or amount',
    () => {
      fc.assert(
        fc.property(structuredRelease, structureOptions, ({ release }, opts) => {
          const posts = socialPosts(release, opts);
          return structuredWords(release, opts, posts) && withinLimits(posts, opts.mastodonMaxChars) && noContactData(posts, STRUCTURED_CONTACT, END_MATTER_IN_POST);
        }),
        { numRuns: runs(RUN_COUNTS.wordsAndAtomsStructure) },
      );
    },
    TIMEOUT,
  );

  it(
    'never lets contact data, the imprint or an agency footer into a social post',
    () => {
      fc.assert(
        fc.property(structuredRelease, structureOptions, ({ release }, opts) => {
          const posts = socialPosts(release, opts);
          return noContactData(posts, STRUCTURED_CONTACT, END_MATTER_IN_POST) && withinLimits(posts, opts.mastodonMaxChars) && structuredWords(release, opts, posts);
        }),
        { numRuns: runs(RUN_COUNTS.contactStructure) },
      );
    },
    TIMEOUT,
  );

  it(
    'takes the first paragraph after title, embargo and dateline as the lead',
    () => {
      fc.assert(
        fc.property(
          structuredRelease.filter((r) => r.layout !== 'single-line'),
          structureOptions,
          ({ release, lead }, opts) => {
            const first = (lead.match(/^.*?[.!?](?= \p{Lu}|$)/u)?.[0] ?? lead).replace(/\s+/g, ' ');
            const facebook = composePost(release, 'facebook', opts).content.text ?? '';
            const mastodon = parts(composePost(release, 'mastodon', opts).content);
            // On a small instance the first status may hold nothing but link and hashtags.
            const mastodonText = mastodon.find((p) => !p.startsWith('https://')) ?? '';
            const isLead = facebook.split('\n\n')[1]?.startsWith(first.slice(0, 40)) === true && mastodonText.startsWith(first.split(' ')[0] ?? '');
            return isLead && structuredInvariants(release, opts);
          },
        ),
        { numRuns: runs(RUN_COUNTS.leadStructure) },
      );
    },
    TIMEOUT,
  );
});

describe('the property suite', () => {
  // Runs after every property above (jest keeps the order of a file); meaningless with -t.
  it('checked every invariant on at least 10,000 generated inputs', () => {
    expect(checked.limits).toBeGreaterThanOrEqual(10_000 * SCALE);
    expect(checked.words).toBeGreaterThanOrEqual(10_000 * SCALE);
    expect(checked.contact).toBeGreaterThanOrEqual(10_000 * SCALE);
  });
});
