// POST /preview: what each channel would receive, nothing stored.
import type { Actor } from '../domain/actor';
import type { ChannelType, MediaItem } from '../domain/types';
import { guidelinesFromPolicy } from '../domain/splitting';
import { slugify } from '../domain/workflow';
import { listChannels } from '../store/channels';
import { findOrgById } from '../store/orgs';
import { composeForChannel } from './compose';
import type { Deps } from './deps';

export interface PreviewInput {
  title: string;
  body: string;
  subtitle?: string | null;
  dateline?: string | null;
  channelTypes: ChannelType[];
  media?: MediaItem[];
}

export async function preview(deps: Deps, actor: Actor, input: PreviewInput) {
  const org = await findOrgById(deps.db, actor.orgId);
  const channelTypes = [...new Set(input.channelTypes)];
  const ctx = {
    publicUrl: deps.config.publicUrl,
    orgSlug: org?.slug ?? '',
    releaseSlug: slugify(input.title),
    // The same guidelines as on create, edit and submit: the preview shows their warnings.
    guidelines: guidelinesFromPolicy(org?.policy),
    channelTypes,
    wordpressSettings: await wordpressSettings(deps, actor, channelTypes),
  };
  const posts = channelTypes.map((type) => {
    const composed = composeForChannel(input, { id: type, type, settings: {} }, ctx);
    return { channelType: type, content: composed.content, length: composed.length, warnings: composed.warnings };
  });
  return { posts };
}

/**
 * The preview knows channel types, not channels. When WordPress carries the article (no blog),
 * the organisation's first enabled WordPress channel (the order of the channel list) plans the
 * link, so the social previews show a plausible address under its siteUrl; the release itself
 * uses the WordPress channel it is given. Without one, the previews have no link and say so
 * (NO_ARTICLE_LINK).
 */
async function wordpressSettings(deps: Deps, actor: Actor, channelTypes: readonly ChannelType[]): Promise<unknown> {
  if (channelTypes.includes('blog') || !channelTypes.includes('wordpress')) return undefined;
  const channels = await listChannels(deps.db, actor.orgId);
  return channels.find((c) => c.type === 'wordpress' && c.enabled)?.settings;
}
