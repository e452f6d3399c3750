// Input rules shared by every route: text is NFC-normalised, control characters are refused,
// lengths are bounded, times carry an offset.
import { z } from 'zod';
import { AppError } from '../domain/errors';
import { isCleanText } from '../domain/text';
import { toCamelCaseHashtag } from '../domain/splitting/hashtags';

export function text(max: number, min = 0) {
  return z
    .string()
    .max(max)
    .refine(isCleanText, { message: 'contains control characters or invalid characters' })
    .transform((s) => s.normalize('NFC'))
    .refine((s) => s.trim().length >= min, { message: min > 0 ? 'required' : 'invalid' });
}

export const line = (max: number, min = 0) =>
  text(max, min).refine((s) => !/[\r\n]/.test(s), { message: 'must be a single line' });

/** A keyword or tag that makes a CamelCase hashtag: it needs a letter ("2025" or "–" make none). */
export const hashtagKeyword = (max: number) =>
  line(max, 1).refine((s) => toCamelCaseHashtag(s) !== null, { message: 'must contain a letter to make a hashtag' });

export const isoTime = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s));

export const id = z.string().uuid();

export const httpsUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'only http(s) URLs' });

/** Opaque ids in queries: short and clean (they end up in SQL parameters). */
export const idFilter = z.string().max(100).refine(isCleanText, { message: 'invalid characters' });

export const email = z.string().max(254).email().transform((s) => s.toLowerCase());

/** The login name as typed: never validated beyond being clean, so the answer reveals nothing. */
export const loginName = z.string().max(254).refine(isCleanText, { message: 'invalid characters' });

export const media = z
  .array(z.object({ url: httpsUrl, alt: text(1500) }).strict())
  .max(4);

/** Parses or throws 400 VALIDATION_FAILED with one entry per bad field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(
    400,
    'VALIDATION_FAILED',
    {},
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })),
  );
}
