// Public shapes of the splitter.

import type { PostContent, Warning } from '../types';
import type { Guidelines } from './guidelines';

export interface ComposeOptions {
  /** Final URL of the article; social posts link to it. Unknown before the blog is published. */
  articleUrl?: string | null;
  /**
   * How many graphemes longer the final article URL may turn out than `articleUrl` (a WordPress
   * link is only planned when composing; the worker swaps in the one WordPress answers). Bluesky,
   * which counts a URL in full, keeps that much room in the part with the link. Default 0.
   */
  articleUrlReserve?: number;
  /** The instance's limit; Mastodon's default is 500. */
  mastodonMaxChars?: number;
  /**
   * Hashtags for every Mastodon status, written CamelCase ("social media" → "#SocialMedia") so
   * screen readers read the words. Organisation keywords belong in `guidelines.hashtags`, where
   * only those that occur in the release are used.
   */
  hashtags?: string[];
  /** The organisation's Social-Media-Guidelines; see guidelines.ts. */
  guidelines?: Guidelines;
}

export interface ComposedPost {
  content: PostContent;
  /** The network's own length of the longest part; null where there is no limit (blog). */
  length: number | null;
  warnings: Warning[];
}

export interface Measurement {
  /** The network's own length of the longest part, or null for article channels. */
  length: number | null;
  limit: number | null;
}
