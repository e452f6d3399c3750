// Input rules shared by every route: text is NFC-normalised, control characters are refused,
// lengths are bounded, times carry an offset.
import { z } from 'zod';
import { AppError } from '../domain/errors';

// C0 and C1 controls except tab, line feed and carriage return; plus lone surrogates' stand-in.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/;

export function text(max: number, min = 0) {
  return z
    .string()
    .max(max)
    .transform((s) => s.normalize('NFC'))
    .refine((s) => !CONTROL.test(s), { message: 'contains control characters' })
    .refine((s) => s.trim().length >= min, { message: min > 0 ? 'required' : 'invalid' });
}

export const line = (max: number, min = 0) =>
  text(max, min).refine((s) => !/[\r\n]/.test(s), { message: 'must be a single line' });

export const isoTime = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s));

export const id = z.string().uuid();

export const httpsUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'only http(s) URLs' });

export const email = z.string().max(254).email().transform((s) => s.toLowerCase());

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
