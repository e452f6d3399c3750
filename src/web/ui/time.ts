// Times in the organisation's time zone: the UI shows and takes local times, the API speaks UTC.
import type { Lang } from './i18n';

function parts(date: Date, tz: string) {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(date)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, m: out.month!, d: out.day!, h: out.hour!, min: out.minute!, s: out.second! };
}

/** Offset of tz from UTC at that instant, in milliseconds. */
function offsetMs(date: Date, tz: string): number {
  const p = parts(date, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(date.getTime() / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-03-12T10:30" meant in tz → the instant; null when empty or invalid. */
export function localToUtc(value: string, tz: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const naive = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  let guess = naive - offsetMs(new Date(naive), tz);
  guess = naive - offsetMs(new Date(guess), tz);
  const date = new Date(guess);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The value for an <input type="datetime-local"> in tz. */
export function utcToLocalInput(iso: string | null | undefined, tz: string): string {
  if (!iso) return '';
  const p = parts(new Date(iso), tz);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.h)}:${pad(p.min)}`;
}

/** "YYYY-MM-DD" of the instant in tz. */
export function localDay(date: Date, tz: string): string {
  const p = parts(date, tz);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** Start of a local day "YYYY-MM-DD" in tz as an instant. */
export function dayStart(day: string, tz: string): Date {
  return localToUtc(`${day}T00:00`, tz) ?? new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 1 = Monday … 7 = Sunday. */
export function weekday(day: string): number {
  const w = new Date(`${day}T12:00:00Z`).getUTCDay();
  return w === 0 ? 7 : w;
}

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'de-DE');

export function formatDateTime(iso: string | Date | null | undefined, tz: string, lang: Lang): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(lang), { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatTime(iso: string | Date, tz: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDay(day: string, lang: Lang, style: 'long' | 'short' = 'long'): string {
  const opts: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
      : { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'numeric' };
  return new Intl.DateTimeFormat(locale(lang), opts).format(new Date(`${day}T12:00:00Z`));
}

export function formatMonth(day: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(`${day}T12:00:00Z`));
}
