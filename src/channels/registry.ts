// Which adapter serves which channel type.
import type { ChannelType } from '../domain/types';
import { AppError } from '../domain/errors';
import type { ChannelAdapter } from './channel';
import { blogChannel } from './blog';
import { facebookChannel } from './facebook';
import { twitterChannel } from './twitter';

const ADAPTERS: Partial<Record<ChannelType, ChannelAdapter>> = {
  blog: blogChannel,
  facebook: facebookChannel,
  twitter: twitterChannel,
};

export const SUPPORTED_CHANNEL_TYPES = Object.keys(ADAPTERS) as ChannelType[];

export function adapterFor(type: ChannelType): ChannelAdapter {
  const adapter = ADAPTERS[type];
  if (!adapter) throw new AppError(400, 'CHANNEL_TYPE_NOT_SUPPORTED', { type });
  return adapter;
}
