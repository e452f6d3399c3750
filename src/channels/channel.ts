// The one interface every network implements. Nothing outside a channel's own file knows
// that network's hosts, error bodies or limits.

import type { ChannelType, PostContent, Warning } from '../domain/types';
import type { FetchedMedia } from './fetch-media';

/** How a failed call must be treated; the worker decides retries from this alone. */
export type ChannelErrorKind =
  /** Network error, 5xx, 429, throttling: try again later (BullMQ backoff). */
  | 'retryable'
  /** Expired or revoked credentials: channel → needs_reauth, its posts held. */
  | 'auth'
  /** The network refused the content (duplicate, too long…): never retry. */
  | 'permanent'
  /** The request was sent but no answer came: the post may exist; never re-send blindly. */
  | 'unknown_outcome';

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly kind: ChannelErrorKind,
    /** Stable upper-snake code, translated for the press officer by src/i18n. */
    readonly code: string,
    /** Technical detail for the log and the attempt record (never contains credentials). */
    message: string,
    readonly options: { retryAfterMs?: number; status?: number; body?: unknown } = {},
  ) {
    super(message);
  }
}

/** Thread parts already accepted by the network, so a retry continues where it stopped. */
export interface PublishProgress {
  parts?: { id: string; url?: string }[];
}

export interface PublishContext {
  postId: string;
  /** Stable across retries of the same post revision: idempotency keys derive from it. */
  idempotencyKey: string;
  orgSlug: string;
  releaseSlug: string;
  /** Base of public links, e.g. https://presse.musterstadt.de */
  publicUrl: string;
  progress: PublishProgress;
  /** Persists progress before the next part is sent. */
  saveProgress(progress: PublishProgress): Promise<void>;
  /** Stores refreshed credentials (e.g. a new OAuth 2 token pair), encrypted, before they are used. */
  saveCredentials(credentials: Credentials): Promise<void>;
  /**
   * Renews credentials under the channel's lock, for tokens that work only once (X rotates its
   * OAuth 2 refresh token): `renew` gets the credentials as stored right now — another worker may
   * have renewed them while this one waited — and returns new ones, or null to keep those. New
   * ones are stored before the lock is released. Resolves to the credentials stored afterwards.
   * Optional: without it an adapter renews what it was given and stores it with saveCredentials.
   */
  renewCredentials?(renew: (stored: Credentials) => Promise<Credentials | null>): Promise<Credentials>;
  /** Fetches an image for upload; refuses private addresses unless configured otherwise. */
  fetchMedia(url: string): Promise<FetchedMedia>;
}

export interface PublishResult {
  externalId: string;
  externalUrl: string;
}

export interface CheckResult {
  account: string;
}

/** Who the credentials act as: the handle for people and the account's stable id. */
export interface AccountIdentity extends CheckResult {
  accountId: string;
}

export type Settings = Record<string, unknown>;
export type Credentials = Record<string, unknown>;

export interface ChannelAdapter {
  readonly type: ChannelType;
  /**
   * True when sending the same post again cannot create a second one (idempotency key,
   * deterministic record key): an interrupted attempt is then simply repeated.
   */
  readonly idempotent?: boolean;
  /** Limits, media, alt text: errors block submit, warnings show in the preview. */
  validate(content: PostContent, settings: Settings): Warning[];
  publish(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult>;
  /** "Who am I" on the network, for POST /channels/:id/check. */
  check(settings: Settings, credentials: Credentials): Promise<CheckResult>;
  /**
   * Optional, for networks where the account is the token's (X, Mastodon): check() plus the
   * account's stable id, recorded when credentials are saved (domain/channel-target.ts).
   */
  identify?(settings: Settings, credentials: Credentials): Promise<AccountIdentity>;
  /**
   * Optional: looks on the network for a post this attempt may already have made (an outcome that
   * could not be known), so the worker can finish the attempt without posting twice.
   */
  findExisting?(content: PostContent, settings: Settings, credentials: Credentials, ctx: PublishContext): Promise<PublishResult | null>;
}
