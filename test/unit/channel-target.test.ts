// src/domain/channel-target.ts and the versioned approval hash of src/domain/workflow.ts: an
// approval is bound to where a channel publishes, not to its secrets.
import { channelTarget, sameTarget } from '../../src/domain/channel-target';
import { approvalHash, matchesApproval, postHash, type PublishablePost, type PublishableRelease } from '../../src/domain/workflow';

const moved = (type: string, a: object, b: object, credA?: object, credB?: object) =>
  !sameTarget(channelTarget(type, a, credA as Record<string, unknown>), channelTarget(type, b, credB as Record<string, unknown>));

describe('channelTarget', () => {
  it('changes when the page, site, instance, service or API host changes', () => {
    expect(moved('facebook', { pageId: '111' }, { pageId: '222' })).toBe(true);
    expect(moved('facebook', { pageId: '111', apiBaseUrl: 'https://graph.facebook.com' }, { pageId: '111', apiBaseUrl: 'https://graph.evil.example' })).toBe(true);
    expect(moved('wordpress', { siteUrl: 'https://presse.example' }, { siteUrl: 'https://andere.example' })).toBe(true);
    expect(moved('mastodon', { instanceUrl: 'https://social.bund.de' }, { instanceUrl: 'https://mastodon.social' })).toBe(true);
    expect(moved('bluesky', {}, { service: 'https://pds.example' })).toBe(true);
    expect(moved('twitter', {}, { apiBaseUrl: 'https://x.evil.example' })).toBe(true);
  });

  it('changes when the Bluesky account changes, not when its app password does', () => {
    expect(moved('bluesky', {}, {}, { identifier: 'stadt.bsky.social', appPassword: 'a' }, { identifier: 'other.bsky.social', appPassword: 'a' })).toBe(true);
    expect(moved('bluesky', {}, {}, { identifier: 'stadt.bsky.social', appPassword: 'a' }, { identifier: '@Stadt.bsky.social', appPassword: 'b' })).toBe(false);
  });

  it('ignores secrets, display settings and limits', () => {
    expect(moved('facebook', { pageId: '111' }, { pageId: '111', graphVersion: 'v25.0', timeoutMs: 5000, rateLimit: { max: 1, perSeconds: 60 } }, { pageAccessToken: 'EAA1' }, { pageAccessToken: 'EAA2' })).toBe(false);
    expect(moved('twitter', { username: 'stadt' }, { username: 'andere' }, { accessToken: 'a' }, { accessToken: 'b' })).toBe(false);
    expect(moved('mastodon', { instanceUrl: 'https://social.bund.de', maxChars: 500 }, { instanceUrl: 'https://social.bund.de', maxChars: 1000 })).toBe(false);
    expect(moved('blog', { title: 'Alt' }, { title: 'Neu' })).toBe(false);
  });

  it('treats the same address written differently as the same place', () => {
    expect(moved('wordpress', { siteUrl: 'https://Presse.Example/' }, { siteUrl: 'https://presse.example' })).toBe(false);
    expect(moved('wordpress', { siteUrl: 'https://presse.example/blog' }, { siteUrl: 'https://presse.example/blog/' })).toBe(false);
    expect(moved('wordpress', { siteUrl: 'https://presse.example/blog' }, { siteUrl: 'https://presse.example/andere' })).toBe(true);
  });

  it('names the network', () => {
    expect(channelTarget('facebook', { pageId: '111' })).toEqual({ network: 'facebook', pageId: '111', apiBaseUrl: null });
    expect(moved('facebook', { pageId: '111' }, {})).toBe(true);
  });
});

describe('approval hash (v2: content, times and target)', () => {
  const release: PublishableRelease = { id: 'rel-1', revision: 3, embargoUntil: null, publishAt: new Date('2026-03-05T12:00:00Z'), crisis: false };
  const base: PublishablePost = { id: 'post-1', channelId: 'chan-1', channelType: 'facebook', content: { text: 'Neue Öffnungszeiten.' }, publishAt: null };
  const here = channelTarget('facebook', { pageId: '111' });
  const there = channelTarget('facebook', { pageId: '222' });
  const post = { ...base, target: here };

  it('is versioned and matches the post as approved', () => {
    const hash = approvalHash(release, post);
    expect(hash).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(matchesApproval(hash, release, post)).toBe(true);
  });

  it('no longer matches when the channel publishes elsewhere, or the content changed', () => {
    const hash = approvalHash(release, post);
    expect(matchesApproval(hash, release, { ...post, target: there })).toBe(false);
    expect(matchesApproval(hash, release, { ...post, content: { text: 'Anders.' } })).toBe(false);
    expect(matchesApproval(hash, { ...release, revision: 4 }, post)).toBe(false);
  });

  it('keeps approvals made before targets were hashed (v1, no prefix) valid for the same content', () => {
    const v1 = postHash(release, base);
    expect(v1).toMatch(/^[0-9a-f]{64}$/);
    expect(matchesApproval(v1, release, post)).toBe(true);
    expect(matchesApproval(v1, release, { ...post, content: { text: 'Anders.' } })).toBe(false);
  });

  it('refuses no hash, an unknown version and a v1 hash dressed up as v2', () => {
    const v1 = postHash(release, base);
    expect(matchesApproval(null, release, post)).toBe(false);
    expect(matchesApproval(`v3:${postHash(release, post)}`, release, post)).toBe(false);
    expect(matchesApproval(`v2:${v1}`, release, post)).toBe(false);
  });
});
