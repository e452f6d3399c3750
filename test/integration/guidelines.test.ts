// The organisation's Social-Media-Guidelines through the HTTP API: the policy route accepts and
// validates every guideline field (and documents it), the preview shows their warnings per
// channel, submit refuses a release that breaks them, and a post edited by hand is held to them.
import { call, useHarnessWithOrg } from '../helpers/harness';

const GUIDELINES = {
  bannedPhrases: ['alternativlos'],
  requiredHashtag: 'Musterstadt',
  signature: '^MS',
  maxHashtags: 3,
  hashtags: ['Bürgerbüro'],
};
const BODY =
  'Musterstadt, 12.03.2024 – Das Bürgerbüro der Stadt Musterstadt hat ab dem 1. April länger geöffnet. ' +
  'Termine gibt es online und vor Ort im Rathaus.';

interface Warning {
  code: string;
  message: string;
  severity?: string;
}
interface Post {
  id: string;
  channelType: string;
  content: { text?: string; thread?: string[]; html?: string };
  warnings: Warning[];
}
const codes = (warnings: Warning[]) => warnings.map((w) => w.code);
const textOf = (post: Post) => [...(post.content.thread ?? []), post.content.text ?? ''].join('\n');

describe('organisation guidelines', () => {
  const ctx = useHarnessWithOrg();

  beforeAll(async () => {
    const res = await call(ctx.h, 'PATCH', '/api/v1/org', { token: ctx.org.admin.token, body: { policy: { guidelines: GUIDELINES } } });
    expect(res.statusCode).toBe(200);
  });

  async function draft(body: string) {
    const res = await call(ctx.h, 'POST', '/api/v1/releases', {
      token: ctx.org.author.token,
      body: { title: 'Bürgerbüro mit neuen Öffnungszeiten', body, channelIds: [ctx.channels.blog, ctx.channels.facebook, ctx.channels.twitter] },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; posts: Post[] };
  }

  describe('PATCH /api/v1/org', () => {
    it('stores every guideline field and serves it back', async () => {
      const res = await call(ctx.h, 'GET', '/api/v1/org', { token: ctx.org.editor.token });
      expect(res.json().policy.guidelines).toEqual(GUIDELINES);
    });

    it.each([
      ['a required hashtag without a letter', { requiredHashtag: '2025' }],
      ['a required hashtag over two lines', { requiredHashtag: 'Muster\nstadt' }],
      ['an empty banned phrase', { bannedPhrases: [''] }],
      ['a negative maximum of hashtags', { maxHashtags: -1 }],
      ['a fractional maximum of hashtags', { maxHashtags: 1.5 }],
      ['a keyword without a letter', { hashtags: ['–'] }],
      ['a signature of 101 characters', { signature: 'x'.repeat(101) }],
      ['an unknown field', { requiredHashtags: ['Musterstadt'] }],
    ])('refuses %s', async (_what, guidelines) => {
      const res = await call(ctx.h, 'PATCH', '/api/v1/org', { token: ctx.org.admin.token, body: { policy: { guidelines } } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    });

    it('documents every guideline field in the OpenAPI document', async () => {
      const doc = (await call(ctx.h, 'GET', '/api/docs/openapi.json')).json();
      const body = doc.paths['/api/v1/org'].patch.requestBody.content['application/json'].schema;
      const guidelines = body.properties.policy.properties.guidelines;
      expect(Object.keys(guidelines.properties).sort()).toEqual(Object.keys(GUIDELINES).sort());
    });
  });

  describe('POST /api/v1/preview', () => {
    it('shows the guideline warnings of each channel, and composes with the required hashtag and signature', async () => {
      const res = await call(ctx.h, 'POST', '/api/v1/preview', {
        token: ctx.org.editor.token,
        body: { title: 'Bürgerbüro länger geöffnet', body: BODY.replace('hat ab', 'ist alternativlos und hat ab'), channelTypes: ['blog', 'twitter', 'mastodon'] },
      });
      expect(res.statusCode).toBe(200);
      const posts = res.json().posts as Post[];
      for (const post of posts) {
        const banned = post.warnings.find((w) => w.code === 'GUIDELINE_BANNED_PHRASE');
        expect({ channel: post.channelType, banned }).toEqual({
          channel: post.channelType,
          banned: expect.objectContaining({ severity: 'error', message: expect.stringContaining('„alternativlos“') }),
        });
      }
      const mastodon = posts.find((p) => p.channelType === 'mastodon')!;
      expect(textOf(mastodon)).toContain('#Musterstadt');
      expect(textOf(mastodon)).toContain('#Bürgerbüro');
      expect(textOf(mastodon)).toContain('^MS');
      expect(codes(mastodon.warnings)).not.toContain('GUIDELINE_HASHTAG_MISSING');
    });
  });

  describe('POST /api/v1/releases/:id/submit', () => {
    it('refuses a release with a banned phrase, with a stable code and a message in German and English', async () => {
      const release = await draft(`${BODY} Die neue Regelung ist alternativlos.`);
      const facebook = release.posts.find((p) => p.channelType === 'facebook')!;
      expect(codes(facebook.warnings)).toContain('GUIDELINE_BANNED_PHRASE');

      const de = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token });
      expect(de.statusCode).toBe(422);
      expect(de.json().error).toMatchObject({
        code: 'GUIDELINE_VIOLATION',
        message: expect.stringMatching(/^Die Mitteilung hält die Social-Media-Richtlinien .*„alternativlos“/),
        details: expect.arrayContaining([{ path: expect.stringMatching(/^posts\.\d+\.content$/), message: 'GUIDELINE_BANNED_PHRASE' }]),
      });
      const en = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token, headers: { 'accept-language': 'en' } });
      expect(en.statusCode).toBe(422);
      expect(en.json().error.code).toBe('GUIDELINE_VIOLATION');
      expect(en.json().error.message).toMatch(/^The release does not follow your organisation's social media guidelines.*"alternativlos"/);
      expect((await call(ctx.h, 'GET', `/api/v1/releases/${release.id}`, { token: ctx.org.author.token })).json().status).toBe('draft');
    });

    it('submits a release that follows the guidelines', async () => {
      const release = await draft(BODY);
      const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('in_review');
    });

    it('holds a release to the guidelines as they are at submit, not as they were when it was written', async () => {
      const release = await draft(BODY);
      const stricter = { ...GUIDELINES, bannedPhrases: ['länger geöffnet'] };
      expect((await call(ctx.h, 'PATCH', '/api/v1/org', { token: ctx.org.admin.token, body: { policy: { guidelines: stricter } } })).statusCode).toBe(200);
      try {
        const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token });
        expect(res.statusCode).toBe(422);
        expect(res.json().error.code).toBe('GUIDELINE_VIOLATION');
      } finally {
        await call(ctx.h, 'PATCH', '/api/v1/org', { token: ctx.org.admin.token, body: { policy: { guidelines: GUIDELINES } } });
      }
    });
  });

  describe('PATCH /api/v1/posts/:id (edited by hand)', () => {
    it('warns about a banned phrase written into a post, and then refuses to submit', async () => {
      const release = await draft(BODY);
      const tweet = release.posts.find((p) => p.channelType === 'twitter')!;
      expect(codes(tweet.warnings)).not.toContain('GUIDELINE_BANNED_PHRASE');
      const thread = [`Die Öffnungszeiten sind alternativlos. #Musterstadt ^MS`];
      const edited = await call(ctx.h, 'PATCH', `/api/v1/posts/${tweet.id}`, { token: ctx.org.editor.token, body: { content: { thread } } });
      expect(edited.statusCode).toBe(200);
      expect(edited.json()).toMatchObject({ edited: true, content: { thread } });
      expect(edited.json().warnings).toContainEqual(expect.objectContaining({ code: 'GUIDELINE_BANNED_PHRASE', severity: 'error' }));

      const res = await call(ctx.h, 'POST', `/api/v1/releases/${release.id}/submit`, { token: ctx.org.author.token });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('GUIDELINE_VIOLATION');
    });

    it('re-checks the other guidelines and the length of a hand-edited post', async () => {
      const release = await draft(BODY);
      const tweet = release.posts.find((p) => p.channelType === 'twitter')!;
      const text = `${'Sehr lange Zeile '.repeat(20)}#Eins #Zwei #Drei #Vier`;
      const edited = await call(ctx.h, 'PATCH', `/api/v1/posts/${tweet.id}`, { token: ctx.org.editor.token, body: { content: { thread: [text] } } });
      expect(edited.statusCode).toBe(200);
      expect(codes(edited.json().warnings)).toEqual(
        expect.arrayContaining(['GUIDELINE_HASHTAG_MISSING', 'GUIDELINE_SIGNATURE_MISSING', 'GUIDELINE_TOO_MANY_HASHTAGS', 'LIMIT_EXCEEDED']),
      );
      expect(edited.json().length).toBeGreaterThan(280);
    });
  });
});
