// The built-in blog: publishing makes the article visible under /blog/<org>/<slug>. The page
// itself is rendered from the database on each request (src/http/routes/blog.ts).
import type { ChannelAdapter } from './channel';
import type { PostContent, Warning } from '../domain/types';

export function articleUrl(publicUrl: string, orgSlug: string, releaseSlug: string): string {
  return `${publicUrl}/blog/${encodeURIComponent(orgSlug)}/${encodeURIComponent(releaseSlug)}`;
}

export const blogChannel: ChannelAdapter = {
  type: 'blog',
  // Publishing only marks the article public: repeating it changes nothing.
  idempotent: true,
  validate(content: PostContent): Warning[] {
    const warnings: Warning[] = [];
    if (!content.title?.trim()) warnings.push({ code: 'TITLE_MISSING', message: 'Der Artikel hat keinen Titel.', severity: 'error' });
    if (!content.html?.trim()) warnings.push({ code: 'BODY_MISSING', message: 'Der Artikel hat keinen Text.', severity: 'error' });
    for (const media of content.media ?? []) {
      if (!media.alt?.trim()) {
        warnings.push({ code: 'MEDIA_ALT_MISSING', message: 'Jedes Bild braucht einen Alternativtext.', severity: 'error' });
      }
    }
    return warnings;
  },
  async publish(_content, _settings, _credentials, ctx) {
    return { externalId: ctx.releaseSlug, externalUrl: articleUrl(ctx.publicUrl, ctx.orgSlug, ctx.releaseSlug) };
  },
  async check() {
    return { account: 'Herold-Blog' };
  },
};
