// src/domain/workflow.ts: the pure workflow rules (four-eyes, revisions, times, hashes, slugs).
import { AppError } from '../../src/domain/errors';
import {
  assertCurrentRevision,
  assertMayApprove,
  assertNotBeforeEmbargo,
  dueAt,
  packageHash,
  postHash,
  slugify,
  type PublishablePost,
  type PublishableRelease,
} from '../../src/domain/workflow';
import { appError } from '../helpers/app-error';

const at = (iso: string) => new Date(iso);

describe('assertMayApprove', () => {
  const release = { authorId: 'author-1', editorIds: ['editor-1', 'editor-2'] };

  it('refuses the author with 403 FOUR_EYES_VIOLATION', () => {
    const err = appError(() => assertMayApprove(release, 'author-1'));
    expect(err.status).toBe(403);
    expect(err.code).toBe('FOUR_EYES_VIOLATION');
  });

  it('refuses anyone who edited any revision', () => {
    expect(appError(() => assertMayApprove(release, 'editor-1')).code).toBe('FOUR_EYES_VIOLATION');
    expect(appError(() => assertMayApprove(release, 'editor-2')).code).toBe('FOUR_EYES_VIOLATION');
  });

  it('lets another person approve', () => {
    expect(() => assertMayApprove(release, 'approver-1')).not.toThrow();
    expect(() => assertMayApprove({ authorId: 'author-1', editorIds: [] }, 'editor-1')).not.toThrow();
  });
});

describe('assertCurrentRevision', () => {
  it('accepts the current revision', () => {
    expect(() => assertCurrentRevision(3, 3)).not.toThrow();
  });

  it('refuses an older or newer revision with 409 STALE_REVISION and the current one', () => {
    for (const requested of [2, 4]) {
      const err = appError(() => assertCurrentRevision(3, requested));
      expect(err.status).toBe(409);
      expect(err.code).toBe('STALE_REVISION');
      expect(err.params).toEqual({ current: 3 });
    }
  });
});

describe('dueAt', () => {
  const approvedAt = at('2026-03-02T08:00:00Z');
  const releaseTime = at('2026-03-03T09:00:00Z');
  const postTime = at('2026-03-04T10:00:00Z');

  it('uses the post time first', () => {
    expect(dueAt({ publishAt: releaseTime, embargoUntil: null }, { publishAt: postTime }, approvedAt)).toEqual(postTime);
  });

  it('falls back to the release time', () => {
    expect(dueAt({ publishAt: releaseTime, embargoUntil: null }, { publishAt: null }, approvedAt)).toEqual(releaseTime);
  });

  it('falls back to the approval time', () => {
    expect(dueAt({ publishAt: null, embargoUntil: null }, { publishAt: null }, approvedAt)).toEqual(approvedAt);
  });

  it('never goes before an embargo later than all of them', () => {
    const embargo = at('2026-03-05T00:00:00Z');
    expect(dueAt({ publishAt: releaseTime, embargoUntil: embargo }, { publishAt: postTime }, approvedAt)).toEqual(embargo);
    expect(dueAt({ publishAt: null, embargoUntil: embargo }, { publishAt: null }, approvedAt)).toEqual(embargo);
  });

  it('keeps a planned time after the embargo', () => {
    const embargo = at('2026-03-01T00:00:00Z');
    expect(dueAt({ publishAt: releaseTime, embargoUntil: embargo }, { publishAt: postTime }, approvedAt)).toEqual(postTime);
  });
});

describe('assertNotBeforeEmbargo', () => {
  const embargo = at('2026-03-05T12:00:00Z');

  it('refuses a time before the embargo with 400 EMBARGO_VIOLATION', () => {
    const err = appError(() => assertNotBeforeEmbargo(embargo, at('2026-03-05T11:59:59Z')));
    expect(err.status).toBe(400);
    expect(err.code).toBe('EMBARGO_VIOLATION');
    expect(err.params).toEqual({ embargo: embargo.toISOString() });
    expect(err.details).toEqual([{ path: 'publishAt', message: 'before embargoUntil' }]);
  });

  it('refuses when any one of several times is before the embargo', () => {
    expect(() => assertNotBeforeEmbargo(embargo, null, at('2026-03-06T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toThrow(AppError);
  });

  it('accepts the embargo time itself, later times and missing times', () => {
    expect(() => assertNotBeforeEmbargo(embargo, embargo, at('2026-03-06T00:00:00Z'), null, undefined)).not.toThrow();
  });

  it('accepts anything without an embargo', () => {
    expect(() => assertNotBeforeEmbargo(null, at('2000-01-01T00:00:00Z'))).not.toThrow();
  });
});

describe('postHash', () => {
  const release: PublishableRelease = {
    id: 'rel-1',
    revision: 2,
    embargoUntil: at('2026-03-05T12:00:00Z'),
    publishAt: at('2026-03-05T12:00:00Z'),
    crisis: false,
  };
  const post: PublishablePost = {
    id: 'post-1',
    channelId: 'chan-1',
    channelType: 'facebook',
    content: {
      text: 'Das Bürgerbüro hat ab 1. April neue Öffnungszeiten.',
      link: 'https://presse.example/oeffnungszeiten',
      media: [{ url: 'https://presse.example/b.jpg', alt: 'Eingang des Bürgerbüros' }],
    },
    publishAt: at('2026-03-06T08:00:00Z'),
  };
  const base = postHash(release, post);

  it('is a sha256 hex digest', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stays equal for equal input, whatever the key order and object identity', () => {
    const reordered: PublishablePost = {
      publishAt: new Date(post.publishAt!.getTime()),
      content: {
        media: [{ alt: 'Eingang des Bürgerbüros', url: 'https://presse.example/b.jpg' }],
        link: 'https://presse.example/oeffnungszeiten',
        text: 'Das Bürgerbüro hat ab 1. April neue Öffnungszeiten.',
      },
      channelType: 'facebook',
      channelId: 'chan-1',
      id: 'post-1',
    };
    const releaseReordered: PublishableRelease = {
      crisis: false,
      publishAt: at('2026-03-05T12:00:00Z'),
      embargoUntil: at('2026-03-05T12:00:00Z'),
      revision: 2,
      id: 'rel-1',
    };
    expect(postHash(releaseReordered, reordered)).toBe(base);
  });

  const changes: [string, PublishableRelease, PublishablePost][] = [
    ['content text', release, { ...post, content: { ...post.content, text: 'Das Bürgerbüro hat ab 2. April neue Öffnungszeiten.' } }],
    ['content link', release, { ...post, content: { ...post.content, link: 'https://evil.example/' } }],
    ['media alt text', release, { ...post, content: { ...post.content, media: [{ url: 'https://presse.example/b.jpg', alt: 'Eingang' }] } }],
    ['media url', release, { ...post, content: { ...post.content, media: [{ url: 'https://presse.example/c.jpg', alt: 'Eingang des Bürgerbüros' }] } }],
    ['channel', release, { ...post, channelId: 'chan-2' }],
    ['channel type', release, { ...post, channelType: 'twitter' }],
    ['post publishAt', release, { ...post, publishAt: at('2026-03-06T08:00:01Z') }],
    ['post publishAt removed', release, { ...post, publishAt: null }],
    ['release publishAt', { ...release, publishAt: at('2026-03-05T13:00:00Z') }, post],
    ['release embargo', { ...release, embargoUntil: at('2026-03-05T12:30:00Z') }, post],
    ['release embargo removed', { ...release, embargoUntil: null }, post],
    ['crisis flag', { ...release, crisis: true }, post],
    ['revision', { ...release, revision: 3 }, post],
  ];

  it.each(changes)('changes when the %s changes', (_what, r, p) => {
    expect(postHash(r, p)).not.toBe(base);
  });

  it('does not confuse a value moved between fields', () => {
    const a = postHash(release, { ...post, content: { text: 'A', link: 'B' } });
    const b = postHash(release, { ...post, content: { text: 'B', link: 'A' } });
    expect(a).not.toBe(b);
  });
});

describe('packageHash', () => {
  const release: PublishableRelease = { id: 'rel-1', revision: 1, embargoUntil: null, publishAt: null, crisis: false };
  const posts: PublishablePost[] = [
    { id: 'b', channelId: 'c2', channelType: 'twitter', content: { thread: ['Eins', 'Zwei'] }, publishAt: null },
    { id: 'a', channelId: 'c1', channelType: 'blog', content: { title: 'T', html: '<p>x</p>' }, publishAt: null },
  ];

  it('does not depend on the order of the posts', () => {
    expect(packageHash(release, posts)).toBe(packageHash(release, [...posts].reverse()));
  });

  it('changes when one post changes or one is dropped', () => {
    const base = packageHash(release, posts);
    expect(packageHash(release, [posts[0]!, { ...posts[1]!, content: { title: 'T', html: '<p>y</p>' } }])).not.toBe(base);
    expect(packageHash(release, [posts[0]!])).not.toBe(base);
  });
});

describe('slugify', () => {
  it('transliterates German umlauts', () => {
    expect(slugify('Öffnungszeiten für Bürgerbüro ändern sich')).toBe('oeffnungszeiten-fuer-buergerbuero-aendern-sich');
  });

  it('writes ß as ss', () => {
    expect(slugify('Straßenfest in der Großen Straße')).toBe('strassenfest-in-der-grossen-strasse');
  });

  it('strips other accents and punctuation', () => {
    expect(slugify('  Café-Eröffnung: 1. Mai, 10 Uhr!  ')).toBe('cafe-eroeffnung-1-mai-10-uhr');
  });

  it('falls back to "mitteilung" for an empty or symbol-only title', () => {
    expect(slugify('')).toBe('mitteilung');
    expect(slugify('!!! ???')).toBe('mitteilung');
  });

  it('keeps at most 80 characters and no trailing hyphen', () => {
    // "haus-" × 16 is exactly 80 characters: the cut ends on a hyphen, which must go.
    const slug = slugify('Haus '.repeat(30));
    expect(slug).toBe(`${'haus-'.repeat(15)}haus`);
    expect(slugify('Haushalt '.repeat(20))).toHaveLength(80);
  });
});
