// The link a social post carries to its release's article (built-in blog or WordPress): planned
// at compose time, replaced by the article's real address once the article is published.
import { channelLimit, postParts } from '../domain/splitting/lengths';
import type { ChannelType, PostContent } from '../domain/types';

/**
 * Social posts link to the article; if its final URL differs from the planned one, use the final.
 * Unless the final one would push a part over the network's limit (Bluesky counts the URL's
 * characters; a hand-edited post has no room reserved): then the approved text goes out as it is,
 * with the planned address, which WordPress redirects to the article.
 */
export function withArticleLink(content: PostContent, url: string | null, channelType: ChannelType): PostContent {
  if (!url || !content.link || content.link === url) return content;
  const planned = content.link;
  const swap = (s: string) => s.split(planned).join(url);
  const swapped = {
    ...content,
    link: url,
    text: content.text === undefined ? undefined : swap(content.text),
    thread: content.thread?.map(swap),
  };
  const limit = channelLimit(channelType);
  return limit && postParts(swapped).some((part) => !limit.fits(part)) ? content : swapped;
}
