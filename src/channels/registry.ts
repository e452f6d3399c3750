// Which adapter serves which channel type.
import type { ChannelType } from '../domain/types';
import { AppError } from '../domain/errors';
import type { ChannelAdapter } from './channel';
import { blogChannel } from './blog';
import { blueskyChannel } from './bluesky';
import { facebookChannel } from './facebook';
import { mastodonChannel } from './mastodon';
import { twitterChannel } from './twitter';
import { wordpressChannel } from './wordpress';

const ADAPTERS: Partial<Record<ChannelType, ChannelAdapter>> = {
  blog: blogChannel,
  facebook: facebookChannel,
  twitter: twitterChannel,
  wordpress: wordpressChannel,
  mastodon: mastodonChannel,
  bluesky: blueskyChannel,
};

export const SUPPORTED_CHANNEL_TYPES = Object.keys(ADAPTERS) as ChannelType[];

export function adapterFor(type: ChannelType): ChannelAdapter {
  const adapter = ADAPTERS[type];
  if (!adapter) throw new AppError(400, 'CHANNEL_TYPE_NOT_SUPPORTED', { type });
  return adapter;
}
