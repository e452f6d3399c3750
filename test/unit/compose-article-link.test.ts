// Which article the social posts link to, as compose plans it: the built-in blog's final URL, or
// (without a blog) the WordPress article's planned "post name" permalink, which the worker swaps
// for the link WordPress answers. Pure: no database.
import { composeForChannel, plannedWordPressLink, WORDPRESS_LINK_RESERVE, type ComposeContext } from '../../src/services/compose';
import { withArticleLink } from '../../src/services/article-link';
import { blueskyFits, postParts } from '../../src/domain/splitting/lengths';
import type { PostContent, ReleaseText } from '../../src/domain/types';

const SLUG = 'stadtfest-am-marktplatz';
const PLANNED = `https://www.musterstadt.de/presse/${SLUG}/`;
const BLOG = `http://herold.test/blog/musterstadt/${SLUG}`;
const SOCIAL = ['mastodon', 'twitter', 'bluesky', 'facebook'] as const;

const release: ReleaseText = {
  title: 'Stadtfest am Marktplatz',
  body: 'Die Stadt lädt am Samstag zum Stadtfest auf den Marktplatz ein. Es gibt Musik, Essen und ein Programm für Kinder.',
};

function ctx(channelTypes: string[], wordpressSettings?: unknown): ComposeContext {
  return { publicUrl: 'http://herold.test', orgSlug: 'musterstadt', releaseSlug: SLUG, channelTypes, wordpressSettings };
}

const compose = (type: string, c: ComposeContext, text: ReleaseText = release) => composeForChannel(text, { id: type, type, settings: {} }, c);

const swap = (content: PostContent, url: string) => withArticleLink(content, url, 'bluesky');

describe('the article link of social posts', () => {
  const wordpress = { siteUrl: 'https://www.musterstadt.de/presse/' };

  it('plans the WordPress "post name" permalink in every social post of a release without blog', () => {
    const c = ctx(['wordpress', ...SOCIAL], wordpress);
    for (const type of SOCIAL) {
      const post = compose(type, c);
      expect({ type, link: post.content.link }).toEqual({ type, link: PLANNED });
      expect(postParts(post.content).some((part) => part.includes(PLANNED))).toBe(true);
      expect(post.warnings.map((w) => w.code)).not.toContain('NO_ARTICLE_LINK');
    }
  });

  it('keeps the blog as the article when the release has both blog and WordPress', () => {
    for (const channelTypes of [['blog', 'wordpress', ...SOCIAL], ['wordpress', ...SOCIAL, 'blog']]) {
      const c = ctx(channelTypes, wordpress);
      for (const type of SOCIAL) {
        const post = compose(type, c);
        expect(post.content.link).toBe(BLOG);
        expect(postParts(post.content).join('\n')).not.toContain('musterstadt.de/presse');
      }
    }
  });

  it('has no link, and says so, when the WordPress channel has no usable siteUrl', () => {
    for (const settings of [undefined, {}, { siteUrl: 'ftp://www.musterstadt.de' }, { siteUrl: 'kein Link' }]) {
      const post = compose('mastodon', ctx(['wordpress', 'mastodon'], settings));
      expect(post.content.link).toBeUndefined();
      expect(post.warnings.map((w) => w.code)).toContain('NO_ARTICLE_LINK');
    }
  });

  it('forms the link from the site address, sub-directory included, and the release slug', () => {
    expect(plannedWordPressLink({ siteUrl: 'https://www.musterstadt.de' }, SLUG)).toBe(`https://www.musterstadt.de/${SLUG}/`);
    expect(plannedWordPressLink({ siteUrl: 'https://www.musterstadt.de/' }, SLUG)).toBe(`https://www.musterstadt.de/${SLUG}/`);
    expect(plannedWordPressLink({ siteUrl: 'https://WWW.Musterstadt.de/presse//' }, SLUG)).toBe(PLANNED);
    expect(plannedWordPressLink({ siteUrl: 'http://127.0.0.1:8081' }, SLUG)).toBe(`http://127.0.0.1:8081/${SLUG}/`);
    expect(plannedWordPressLink(null, SLUG)).toBeNull();
  });

  describe('Bluesky keeps room for a longer final WordPress link', () => {
    // Title + blank line + planned link come to exactly 290 graphemes: one post with the blog's
    // final URL, but not beside a planned link that may still grow by the reserve.
    const long = (link: string): ReleaseText => ({ ...release, title: `${'Stadtfest '.repeat(40)}`.slice(0, 288 - link.length).trim() + '.' });

    it('fits every part after the swap, for a final link up to the reserve longer', () => {
      const text = long(PLANNED);
      const post = compose('bluesky', ctx(['wordpress', 'bluesky'], wordpress), text);
      expect(post.warnings.map((w) => w.code)).not.toContain('LIMIT_EXCEEDED');
      expect(post.content.thread).toBeDefined(); // the title alone would leave no room to grow
      for (const final of [
        `https://www.musterstadt.de/presse/2025/06/14/${SLUG}/`, // "day and name"
        `https://www.musterstadt.de/presse/allgemein/${SLUG}-2/`, // category base, taken slug
        PLANNED + 'x'.repeat(WORDPRESS_LINK_RESERVE - 1) + '/',
      ]) {
        const swapped = swap(post.content, final);
        expect(swapped.link).toBe(final);
        for (const part of postParts(swapped)) expect({ final, fits: blueskyFits(part) }).toEqual({ final, fits: true });
      }
    });

    it('keeps the approved text with the planned link when the final one would not fit', () => {
      // A hand-edited post fills the part to the limit: no room was reserved for a longer link.
      const planned = PLANNED;
      const text = `${'x'.repeat(300 - planned.length - 1)} ${planned}`;
      const content: PostContent = { text, link: planned };
      expect(blueskyFits(text)).toBe(true);
      const final = `https://www.musterstadt.de/presse/2025/06/14/${SLUG}/`;
      expect(withArticleLink(content, final, 'bluesky')).toBe(content);
      // X counts every URL as 23: there the final link always goes out.
      expect(withArticleLink(content, final, 'twitter').link).toBe(final);
    });

    it('does not reserve room beside the blog, whose URL is final', () => {
      const post = compose('bluesky', ctx(['blog', 'bluesky']), long(BLOG));
      expect(post.content.text).toContain(BLOG);
      expect(post.content.thread).toBeUndefined();
    });
  });
});
