// The Graph fake on its own, spoken to with plain fetch: token sources, limits, error shapes.

import { startGraphFake, type GraphFake } from '../../src/simulated/graph-fake';

const PAGE = { id: '1001', name: 'Stadt Musterstadt', accessToken: 'page-token-1001' };
const OTHER = { id: '2002', name: 'Landkreis', accessToken: 'page-token-2002' };

interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}

describe('Graph fake', () => {
  let fake: GraphFake;

  beforeAll(async () => {
    fake = await startGraphFake({ pages: [PAGE, OTHER], maxMessageLength: 50, callsPerHour: 1000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const post = (body: Record<string, unknown>, query = `access_token=${PAGE.accessToken}`): Promise<Response> =>
    fetch(`${fake.url}/v24.0/${PAGE.id}/feed?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const get = (path: string, token = PAGE.accessToken): Promise<Response> =>
    fetch(`${fake.url}/v24.0/${path}${path.includes('?') ? '&' : '?'}access_token=${token}`);

  it('creates a post with a {pageId}_{digits} id and a facebook.com permalink', async () => {
    const res = await post({ message: 'Hallo', link: 'https://presse.example/a', id: PAGE.id });
    const { id } = (await res.json()) as { id: string };

    expect(res.status).toBe(200);
    expect(id).toMatch(/^1001_\d+$/);
    expect(fake.posts).toEqual([
      expect.objectContaining({
        id,
        pageId: PAGE.id,
        message: 'Hallo',
        link: 'https://presse.example/a',
        published: true,
        permalinkUrl: `https://www.facebook.com/1001/posts/${id.split('_')[1]}`,
      }),
    ]);
  });

  it('takes the token from a form body or an Authorization header too', async () => {
    const form = await fetch(`${fake.url}/v24.0/${PAGE.id}/feed`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ message: 'per Formular', access_token: PAGE.accessToken }).toString(),
    });
    const bearer = await fetch(`${fake.url}/${PAGE.id}/feed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PAGE.accessToken}` },
      body: JSON.stringify({ message: 'per Header, ohne Version' }),
    });

    expect([form.status, bearer.status]).toEqual([200, 200]);
    expect(fake.postsOf(PAGE.id).map((p) => p.message)).toEqual(['per Formular', 'per Header, ohne Version']);
  });

  it('refuses missing, unknown and expired tokens with OAuthException bodies', async () => {
    const missing = await post({ message: 'x' }, '');
    const unknown = await post({ message: 'x' }, 'access_token=nope');
    fake.expireToken(PAGE.accessToken);
    const expired = await post({ message: 'x' });

    expect((await missing.json()) as GraphErrorBody).toMatchObject({ error: { type: 'OAuthException', code: 104 } });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()) as GraphErrorBody).toMatchObject({ error: { type: 'OAuthException', code: 190 } });
    expect((await expired.json()) as GraphErrorBody).toMatchObject({ error: { code: 190, error_subcode: 463 } });
    expect(fake.posts).toEqual([]);
  });

  it('refuses posting to a page the token does not belong to (#200)', async () => {
    const res = await post({ message: 'x' }, `access_token=${OTHER.accessToken}`);
    expect(res.status).toBe(403);
    expect((await res.json()) as GraphErrorBody).toMatchObject({ error: { code: 200 } });
  });

  it('refuses a message over the limit with code 100 and a repeated one with code 506', async () => {
    const long = await post({ message: 'x'.repeat(51) });
    await post({ message: 'Einmal' });
    const duplicate = await post({ message: 'Einmal' });

    expect((await long.json()) as GraphErrorBody).toMatchObject({ error: { code: 100 } });
    expect((await duplicate.json()) as GraphErrorBody).toMatchObject({
      error: { code: 506, message: 'Duplicate status message', fbtrace_id: expect.any(String) as string },
    });
    expect(fake.posts).toHaveLength(1);
  });

  it('answers /me, the feed (newest first, published only) and a post’s permalink', async () => {
    await post({ message: 'alt' });
    await post({ message: 'versteckt', published: false });
    await post({ message: 'neu' });

    const me = await (await get('me')).json();
    const feed = (await (await get(`${PAGE.id}/feed?fields=id,message,created_time`)).json()) as {
      data: { id: string; message: string; created_time: string }[];
    };
    const permalink = await (await get(`${fake.posts[0]?.id}?fields=permalink_url`)).json();

    expect(me).toEqual({ id: PAGE.id, name: PAGE.name });
    expect(feed.data.map((p) => p.message)).toEqual(['neu', 'alt']);
    expect(feed.data[0]?.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(permalink).toEqual({ permalink_url: fake.posts[0]?.permalinkUrl });
  });

  it('refuses an unknown field like Graph does', async () => {
    const res = await get('me?fields=id,nonsense');
    expect((await res.json()) as GraphErrorBody).toMatchObject({ error: { code: 100, message: expect.stringContaining('nonsense') as string } });
  });

  it('throttles with code 32 and a usage header, not with HTTP 429', async () => {
    fake.failNext({ status: 429, resetInSeconds: 300 });
    const res = await post({ message: 'gedrosselt' });

    expect(res.status).toBe(400);
    expect((await res.json()) as GraphErrorBody).toMatchObject({ error: { code: 32 } });
    expect(JSON.parse(res.headers.get('x-page-usage') ?? '{}')).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 5 });
  });

  it('throttles by itself once a page used its hourly calls', async () => {
    const small = await startGraphFake({ pages: [PAGE], callsPerHour: 2 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${small.url}/v24.0/me?access_token=${PAGE.accessToken}`);
        codes.push(res.status === 200 ? 0 : ((await res.json()) as GraphErrorBody).error.code);
      }
      expect(codes).toEqual([0, 0, 32]);
    } finally {
      await small.close();
    }
  });

  describe('photos', () => {
    const photo = (body: Record<string, unknown>): Promise<Response> =>
      fetch(`${fake.url}/v24.0/${PAGE.id}/photos?access_token=${PAGE.accessToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('creates a photo post by URL and answers with photo id and post id', async () => {
      const res = await photo({ url: 'https://presse.example/a.jpg', caption: 'Mit Bild', alt_text_custom: 'Ein Rathaus' });
      const body = (await res.json()) as { id: string; post_id: string };

      expect(res.status).toBe(200);
      expect(body.post_id).toMatch(/^1001_\d+$/);
      expect(fake.photos).toEqual([
        expect.objectContaining({ id: body.id, url: 'https://presse.example/a.jpg', caption: 'Mit Bild', altTextCustom: 'Ein Rathaus', published: true, postId: body.post_id }),
      ]);
      expect(fake.posts).toEqual([expect.objectContaining({ id: body.post_id, message: 'Mit Bild', photoIds: [body.id] })]);
      const feed = (await (await get(`${PAGE.id}/feed?fields=id,message`)).json()) as { data: { id: string }[] };
      expect(feed.data.map((p) => p.id)).toEqual([body.post_id]);
    });

    it('applies the feed rules to captions and needs an image URL', async () => {
      await photo({ url: 'https://presse.example/a.jpg', caption: 'Gleich' });
      const duplicate = await photo({ url: 'https://presse.example/b.jpg', caption: 'Gleich' });
      const long = await photo({ url: 'https://presse.example/b.jpg', caption: 'x'.repeat(51) });
      const missing = await photo({ caption: 'Ohne Bild' });
      const notUrl = await photo({ url: 'javascript:alert(1)', caption: 'Kein Link' });

      expect((await duplicate.json()) as GraphErrorBody).toMatchObject({ error: { code: 506 } });
      expect((await long.json()) as GraphErrorBody).toMatchObject({ error: { code: 100 } });
      expect((await missing.json()) as GraphErrorBody).toMatchObject({ error: { code: 324 } });
      expect((await notUrl.json()) as GraphErrorBody).toMatchObject({ error: { code: 100 } });
      expect(fake.posts).toHaveLength(1);
    });

    it('attaches unpublished photos to one feed post, once (JSON array or indexed form fields)', async () => {
      const ids: string[] = [];
      for (const name of ['a', 'b', 'c']) {
        const res = await photo({ url: `https://presse.example/${name}.jpg`, published: false });
        const body = (await res.json()) as { id: string; post_id?: string };
        expect(body.post_id).toBeUndefined();
        ids.push(body.id);
      }
      expect(fake.posts).toEqual([]);

      const json = await post({ message: 'Zwei Bilder', attached_media: [{ media_fbid: ids[0] }, { media_fbid: ids[1] }] });
      const form = await fetch(`${fake.url}/v24.0/${PAGE.id}/feed`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ message: 'Ein Bild', 'attached_media[0]': JSON.stringify({ media_fbid: ids[2] }), access_token: PAGE.accessToken }).toString(),
      });
      const reused = await post({ message: 'Schon verwendet', attached_media: [{ media_fbid: ids[0] }] });

      expect([json.status, form.status]).toEqual([200, 200]);
      expect((await reused.json()) as GraphErrorBody).toMatchObject({ error: { code: 100 } });
      expect(fake.posts.map((p) => [p.message, p.photoIds])).toEqual([
        ['Zwei Bilder', [ids[0], ids[1]]],
        ['Ein Bild', [ids[2]]],
      ]);
    });
  });

  it('puts the throttling estimate where Graph does: BUC header for 80001, none for the app limit (4)', async () => {
    fake.failNext({ status: 429, code: 80001, resetInSeconds: 120 });
    const buc = await post({ message: 'BUC' });
    fake.failNext({ status: 429, code: 4 });
    const app = await post({ message: 'App' });

    expect((await buc.json()) as GraphErrorBody).toMatchObject({ error: { code: 80001 } });
    expect(JSON.parse(buc.headers.get('x-business-use-case-usage') ?? '{}')).toEqual({
      [PAGE.id]: [expect.objectContaining({ type: 'pages', estimated_time_to_regain_access: 2 })],
    });
    expect((await app.json()) as GraphErrorBody).toMatchObject({ error: { code: 4 } });
    expect(JSON.parse(app.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 100 });
    expect(app.headers.get('x-app-usage')).not.toContain('estimated_time_to_regain_access');
    expect(JSON.parse(app.headers.get('x-page-usage') ?? '{}')).toMatchObject({ estimated_time_to_regain_access: 0 });
  });

  it('logs requests without their query string (no tokens in the log)', async () => {
    await get('me');
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/v24.0/me', status: 200 })]);
    expect(JSON.stringify(fake.requests)).not.toContain(PAGE.accessToken);
  });
});
