// Shapes shared by every layer. Pure data: no Prisma, BullMQ or HTTP types here.

export const CHANNEL_TYPES = ['blog', 'facebook', 'twitter', 'wordpress', 'mastodon', 'bluesky'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Channels whose post is the full article; social posts link to it. */
export const ARTICLE_CHANNELS: readonly ChannelType[] = ['blog', 'wordpress'];

export const ROLES = ['editor', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const RELEASE_STATUSES = ['draft', 'in_review', 'scheduled', 'done', 'cancelled'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const POST_STATUSES = [
  'draft',
  'scheduled',
  'held',
  'publishing',
  'published',
  'failed',
  'unconfirmed',
  'cancelled',
] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const CHANNEL_STATUSES = ['active', 'needs_reauth', 'disabled'] as const;
export type ChannelStatus = (typeof CHANNEL_STATUSES)[number];

export interface MediaItem {
  url: string;
  alt: string;
}

/**
 * What a post will publish. blog/wordpress: {title, html, link}; facebook: {text, link};
 * twitter: {thread}; mastodon/bluesky: {text} or {thread}.
 */
export interface PostContent {
  text?: string;
  thread?: string[];
  title?: string;
  html?: string;
  link?: string;
  media?: MediaItem[];
}

export type WarningSeverity = 'warning' | 'error';

/** `error` blocks submit; `warning` is shown in the preview only. */
export interface Warning {
  code: string;
  message: string;
  severity?: WarningSeverity;
}

/** The parts of a release the splitter works from. */
export interface ReleaseText {
  title: string;
  subtitle?: string | null;
  dateline?: string | null;
  body: string;
  language?: string;
  media?: MediaItem[];
}
