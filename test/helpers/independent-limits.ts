// Channel limits measured independently of the splitter (written out here rather than imported
// from src/, so the tests do not share the code they check). Used by the fixture and property
// tests of the splitter.
import { extractUrlsWithIndices, parseTweet } from 'twitter-text';
import type { ChannelType } from '../../src/domain/types';

const segmenter = new Intl.Segmenter('de', { granularity: 'grapheme' });

export const graphemeCount = (s: string): number => [...segmenter.segment(s)].length;

/** Mastodon counts every link as 23 characters and the rest in graphemes. */
export function mastodonCount(s: string): number {
  const urls = extractUrlsWithIndices(s, { extractUrlsWithoutProtocol: false });
  let rest = s;
  for (const u of [...urls].reverse()) rest = rest.slice(0, u.indices[0]) + rest.slice(u.indices[1]);
  return graphemeCount(rest) + 23 * urls.length;
}

export function withinLimit(channel: ChannelType, part: string, mastodonMax = 500): boolean {
  switch (channel) {
    case 'twitter':
      return parseTweet(part).weightedLength <= 280;
    case 'mastodon':
      return mastodonCount(part) <= mastodonMax;
    case 'bluesky':
      return graphemeCount(part) <= 300 && Buffer.byteLength(part) <= 3000;
    case 'facebook':
      return part.length <= 63206;
    default:
      return true;
  }
}
