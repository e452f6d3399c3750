// Where a channel's posts land: the part of a channel's configuration an approval is bound to.
// Pure; callers hand in the settings and, for networks that keep the account name there, the
// decrypted credentials.
//
// Only what decides the destination belongs here: the network, the host Herold talks to, and the
// page, site, instance or account on it. Secrets do not (a token refresh or a new app password
// for the same account must not void approvals), nor do display settings (blog title, X username
// for result links, Facebook graphVersion, limits, timeouts).
import type { ChannelType } from './types';

/** The setting fields that decide where a post lands, per network. */
export const TARGET_SETTINGS: Record<ChannelType, readonly string[]> = {
  // Herold's own blog: the organisation's blog, reached by channel id alone.
  blog: [],
  facebook: ['pageId', 'apiBaseUrl'],
  // The X account is the token's; Herold cannot name it without asking X (see docs/security.md).
  twitter: ['apiBaseUrl'],
  wordpress: ['siteUrl', 'apiBaseUrl'],
  mastodon: ['instanceUrl', 'apiBaseUrl'],
  bluesky: ['service', 'apiBaseUrl'],
};

/** Non-secret credential fields that name the account (Bluesky signs in with handle, DID or e-mail). */
export const TARGET_CREDENTIALS: Partial<Record<ChannelType, readonly string[]>> = {
  bluesky: ['identifier'],
};

export type ChannelTarget = Record<string, string | null>;

/** Whether the target identity of this channel type needs its decrypted credentials. */
export function targetNeedsCredentials(type: string): boolean {
  return (TARGET_CREDENTIALS[type as ChannelType]?.length ?? 0) > 0;
}

/** URLs are compared as scheme, host and path (no trailing slash), so that re-saving is no move. */
function normaliseUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return value;
  }
}

function normalise(field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = String(value).trim();
  if (field === 'identifier') return text.replace(/^@/, '').toLowerCase();
  return /^https?:\/\//i.test(text) ? normaliseUrl(text) : text;
}

/**
 * The target identity of a channel: its network and the normalised values of the fields above.
 * Two configurations with the same identity publish to the same place.
 */
export function channelTarget(type: string, settings: unknown, credentials?: Record<string, unknown> | null): ChannelTarget {
  const s = (settings && typeof settings === 'object' ? settings : {}) as Record<string, unknown>;
  const target: ChannelTarget = { network: type };
  for (const field of TARGET_SETTINGS[type as ChannelType] ?? []) target[field] = normalise(field, s[field]);
  for (const field of TARGET_CREDENTIALS[type as ChannelType] ?? []) target[`account.${field}`] = normalise(field, credentials?.[field]);
  return target;
}

export function sameTarget(a: ChannelTarget, b: ChannelTarget): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? null) !== (b[key] ?? null)) return false;
  return true;
}
