// Images travel with every post; their checks differ by network.

import type { ChannelType, MediaItem, Warning } from '../types';
import { makeWarning } from './warnings';

interface MediaRules {
  maxItems?: number;
  maxAltLength?: number;
}

const RULES: Partial<Record<ChannelType, MediaRules>> = {
  twitter: { maxItems: 4, maxAltLength: 1000 },
  mastodon: { maxItems: 4, maxAltLength: 1500 },
  bluesky: { maxItems: 4 },
};

export function mediaWarnings(channelType: ChannelType, media: readonly MediaItem[]): Warning[] {
  const warnings: Warning[] = [];
  const rules = RULES[channelType] ?? {};
  media.forEach((item, i) => {
    // Alt text is required everywhere: public bodies must publish accessible content (BITV 2.0).
    if (item.alt.trim() === '') warnings.push(makeWarning('MEDIA_ALT_MISSING', { channel: channelType, index: i + 1 }));
    else if (rules.maxAltLength !== undefined && item.alt.length > rules.maxAltLength) {
      warnings.push(makeWarning('MEDIA_ALT_TOO_LONG', { channel: channelType, index: i + 1, limit: rules.maxAltLength }));
    }
  });
  if (rules.maxItems !== undefined && media.length > rules.maxItems) {
    warnings.push(makeWarning('MEDIA_TOO_MANY', { channel: channelType, count: media.length, limit: rules.maxItems }));
  }
  return warnings;
}
