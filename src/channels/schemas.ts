// What each channel type accepts as settings and credentials (API.md "Channels").
import { z } from 'zod';
import { isCleanText } from '../domain/text';
import type { ChannelType } from '../domain/types';

const httpUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'only http(s) URLs' });

const base = {
  apiBaseUrl: httpUrl.optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** Our own limit per channel account, below the network's. */
  rateLimit: z.object({ max: z.number().int().min(1).max(100_000), perSeconds: z.number().int().min(1).max(86_400) }).strict().optional(),
};
const secret = z.string().min(1).max(4000).refine(isCleanText, { message: 'invalid characters' });

// X and Mastodon settings also carry `accountId`, which only Herold sets (from the network, when
// credentials are saved): services/channels.ts takes it out before these schemas see the input.
export const SETTINGS: Record<ChannelType, z.ZodType> = {
  blog: z.object({ ...base, title: z.string().max(200).refine((s) => isCleanText(s) && !/[\r\n]/.test(s), { message: 'invalid characters' }).optional() }).strict(),
  facebook: z.object({ ...base, pageId: z.string().regex(/^\d{1,40}$/), graphVersion: z.string().regex(/^v\d+\.\d+$/).optional() }).strict(),
  twitter: z.object({ ...base, username: z.string().regex(/^@?\w{1,15}$/).optional() }).strict(),
  wordpress: z.object({ ...base, siteUrl: httpUrl }).strict(),
  mastodon: z.object({ ...base, instanceUrl: httpUrl, maxChars: z.number().int().min(100).max(100_000).optional() }).strict(),
  bluesky: z.object({ ...base, service: httpUrl.optional() }).strict(),
};

export const CREDENTIALS: Record<ChannelType, z.ZodType> = {
  blog: z.object({}).strict(),
  facebook: z.object({ pageAccessToken: secret }).strict(),
  twitter: z.union([
    z.object({ appKey: secret, appSecret: secret, accessToken: secret, accessSecret: secret }).strict(),
    z.object({ accessToken: secret, refreshToken: secret.optional(), clientId: secret.optional(), clientSecret: secret.optional(), expiresAt: z.iso.datetime({ offset: true }).optional() }).strict(),
  ]),
  wordpress: z.object({ username: secret, applicationPassword: secret }).strict(),
  mastodon: z.object({ accessToken: secret }).strict(),
  bluesky: z.object({ identifier: secret, appPassword: secret }).strict(),
};
