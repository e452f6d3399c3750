// A release whose article goes to WordPress (no built-in blog): its social posts are composed
// with the planned "post name" permalink, WordPress is published first, and the worker swaps in
// the link WordPress actually answered (the fake uses /yyyy/mm/slug/, so the two differ).
import { randomBytes } from 'node:crypto';
import { startBlueskyFake, type BlueskyFake } from '../../src/simulated/bluesky-fake';
import { startMastodonFake, type MastodonFake } from '../../src/simulated/mastodon-fake';
import { startWordPressFake, type WordPressFake } from '../../src/simulated/wordpress-fake';
import type { PostContent } from '../../src/domain/types';
import { addChannels, approvedRelease, call, createTestOrg, startHarness, waitFor, type ApiPost, type Harness, type TestOrg } from '../helpers/harness';

const WP_USER = { username: 'pressestelle', name: 'Pressestelle', role: 'author' as const, applicationPassword: 'abcd EFGH 1234 ijkl MNOP 5678' };
const MASTODON = { id: '109000000000000042', username: 'stadt', accessToken: `mt-${randomBytes(8).toString('hex')}` };
const BLUESKY = { did: 'did:plc:wordpresslinktest', handle: 'stadt.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' };

const contentOf = (post: ApiPost) => post.content as PostContent;
const textOf = (post: ApiPost) => {
  const c = contentOf(post);
  return (c.thread ?? [c.text ?? '']).join('\n');
};

describe('social posts of a WordPress release link to the WordPress article', () => {
  let h: Harness;
  let org: TestOrg;
  let wp: WordPressFake;
  let mastodon: MastodonFake;
  let bluesky: BlueskyFake;
  let ids: { wordpress: string; mastodon: string; bluesky: string; twitter: string; blog: string; xUserId: string };

  beforeAll(async () => {
    h = await startHarness();
    h.startWorker();
    org = await createTestOrg(h);
    wp = await startWordPressFake({ users: [WP_USER], permalinks: 'pretty' });
    mastodon = await startMastodonFake({ accounts: [MASTODON] });
    bluesky = await startBlueskyFake({ accounts: [BLUESKY] });
    const base = await addChannels(h, org);
    const create = async (body: unknown) => {
      const res = await call(h, 'POST', '/api/v1/channels', { token: org.admin.token, body });
      if (res.statusCode !== 201) throw new Error(`channel: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    };
    ids = {
      blog: base.blog,
      twitter: base.twitter,
      xUserId: base.xUser.userId,
      wordpress: await create({
        type: 'wordpress',
        name: 'WordPress',
        settings: { siteUrl: wp.url, timeoutMs: 5000 },
        credentials: { username: WP_USER.username, applicationPassword: WP_USER.applicationPassword },
      }),
      mastodon: await create({ type: 'mastodon', name: 'Mastodon', settings: { instanceUrl: mastodon.url }, credentials: { accessToken: MASTODON.accessToken } }),
      bluesky: await create({
        type: 'bluesky',
        name: 'Bluesky',
        settings: { service: bluesky.url },
        credentials: { identifier: BLUESKY.handle, appPassword: BLUESKY.appPassword },
      }),
    };
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([wp.close(), mastodon.close(), bluesky.close()]);
  });

  it('plans the link, publishes WordPress first, and publishes the link WordPress returned', async () => {
    const release = await approvedRelease(h, org, {
      title: 'Stadtfest am Marktplatz',
      body: 'Die Stadt lädt am Samstag zum Stadtfest auf den Marktplatz ein. Es gibt Musik, Essen und ein Programm für Kinder.',
      channelIds: [ids.mastodon, ids.twitter, ids.bluesky, ids.wordpress],
    });
    const planned = `${wp.url}/${release.slug}/`;
    const social = release.posts.filter((p) => p.channelType !== 'wordpress');
    expect(social.map((p) => p.channelType).sort()).toEqual(['bluesky', 'mastodon', 'twitter']);
    for (const post of social) {
      expect({ type: post.channelType, link: contentOf(post).link }).toEqual({ type: post.channelType, link: planned });
      expect(textOf(post)).toContain(planned);
    }

    const done = await waitFor('all posts published', async () => {
      const res = await call(h, 'GET', `/api/v1/releases/${release.id}`, { token: org.editor.token });
      const body = res.json() as { posts: (ApiPost & { externalUrl: string; publishedAt: string })[] };
      return body.posts.every((p) => p.status === 'published') ? body.posts : null;
    });
    const article = done.find((p) => p.channelType === 'wordpress')!;
    const final = wp.posts[0]!.link;
    expect(wp.posts).toHaveLength(1);
    expect(article.externalUrl).toBe(final);
    expect(final).not.toBe(planned); // pretty permalinks: /yyyy/mm/slug/
    expect(final).toMatch(new RegExp(`/\\d{4}/\\d{2}/${release.slug}/$`));
    for (const post of done) expect(Date.parse(post.publishedAt)).toBeGreaterThanOrEqual(Date.parse(article.publishedAt));

    const statuses = mastodon.statuses;
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.text).toContain(final);
    expect(statuses[0]!.text).not.toContain(planned);

    const tweets = h.x.tweetsOf(ids.xUserId);
    expect(tweets.some((t) => t.text.includes(final))).toBe(true);
    expect(tweets.some((t) => t.text.includes(planned))).toBe(false);

    const records = bluesky.records.filter((r) => r.collection === 'app.bsky.feed.post');
    expect(records).toHaveLength(1);
    const record = records[0]!.value as { text: string; facets?: { features: { $type: string; uri?: string }[] }[] };
    expect(record.text).toContain(final);
    expect(record.text).not.toContain(planned);
    const uris = (record.facets ?? []).flatMap((f) => f.features.filter((x) => x.$type === 'app.bsky.richtext.facet#link').map((x) => x.uri));
    expect(uris).toEqual([final]);
  });

  it('keeps the blog as the article of a release with blog and WordPress', async () => {
    const created = await call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: {
        title: 'Blog und WordPress',
        body: 'Die Mitteilung erscheint im Blog und auf der WordPress-Seite der Stadt, die Beiträge verlinken den Blog.',
        channelIds: [ids.wordpress, ids.blog, ids.mastodon, ids.twitter, ids.bluesky],
      },
    });
    expect(created.statusCode).toBe(201);
    const release = created.json() as { slug: string; posts: ApiPost[] };
    const blog = `http://herold.test/blog/${org.slug}/${release.slug}`;
    for (const post of release.posts.filter((p) => !['blog', 'wordpress'].includes(p.channelType))) {
      expect({ type: post.channelType, link: contentOf(post).link }).toEqual({ type: post.channelType, link: blog });
      expect(textOf(post)).not.toContain(wp.url);
    }
  });

  it('previews the planned WordPress link from the organisation\'s WordPress channel', async () => {
    const res = await call(h, 'POST', '/api/v1/preview', {
      token: org.author.token,
      body: { title: 'Neue Öffnungszeiten', body: 'Das Bürgerbüro hat ab Montag neue Öffnungszeiten, auch am Samstagvormittag.', channelTypes: ['wordpress', 'bluesky'] },
    });
    expect(res.statusCode).toBe(200);
    const bsky = (res.json() as { posts: { channelType: string; content: PostContent }[] }).posts.find((p) => p.channelType === 'bluesky')!;
    expect(bsky.content.link).toBe(`${wp.url}/neue-oeffnungszeiten/`);
    expect(bsky.content.text).toContain(`${wp.url}/neue-oeffnungszeiten/`);
  });
});
