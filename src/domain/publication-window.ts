// Publication windows (PRODUCT.md, flow step 4): an organisation may allow publishing only at
// certain local times, e.g. Mon–Fri 07:00–19:00, so that staff are there to answer comments.
// Pure rules: callers pass the windows, the organisation's time zone and the instants.
//
// A window is [from, to) in the organisation's local wall-clock time on the given ISO weekdays
// (1 = Monday … 7 = Sunday): `from` inclusive, `to` exclusive. `to` must be later than `from` on
// the same day; "24:00" ends a window at midnight. A window over midnight (22:00–02:00) is
// refused at PATCH /api/v1/org: it is written as two windows (22:00–24:00 and 00:00–02:00 on the
// following days), which keeps "which day does 01:00 belong to" out of the rule.
// Local time comes from Intl, so daylight saving time is handled by the time zone database: on
// the day the clocks go forward, the skipped hour never occurs; on the day they go back, the
// repeated hour is inside a window both times.
import { AppError, type ErrorDetail } from './errors';
import { dueAt } from './workflow';

export interface PublicationWindow {
  /** ISO weekdays, 1 = Monday … 7 = Sunday, in the organisation's time zone. */
  days: number[];
  /** "HH:MM", inclusive. */
  from: string;
  /** "HH:MM", exclusive; "24:00" = until midnight. */
  to: string;
}

const MINUTES_PER_DAY = 24 * 60;

/** "07:30" → 450; null when not a time of day ("24:00" only where `end` allows it). */
function minuteOfDay(hhmm: string, end: boolean): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59) return null;
  return minutes < MINUTES_PER_DAY || (end && minutes === MINUTES_PER_DAY) ? minutes : null;
}

/** What is wrong with the windows an admin wants to store; empty when they are usable. */
export function windowProblems(windows: PublicationWindow[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  windows.forEach((w, i) => {
    const from = minuteOfDay(w.from, false);
    const to = minuteOfDay(w.to, true);
    if (w.days.length === 0) problems.push({ path: `policy.publicationWindows.${i}.days`, message: 'at least one weekday (1 = Monday … 7 = Sunday)' });
    if (from === null) problems.push({ path: `policy.publicationWindows.${i}.from`, message: 'a time of day 00:00–23:59' });
    if (to === null) problems.push({ path: `policy.publicationWindows.${i}.to`, message: 'a time of day 00:01–24:00' });
    if (from !== null && to !== null && to <= from) {
      problems.push({ path: `policy.publicationWindows.${i}.to`, message: 'must be later than from; split a window over midnight into two' });
    }
  });
  return problems;
}

/**
 * The windows of an organisation policy. Windows stored before they were checked and that are
 * not usable (no day, `to` not after `from`) are left out rather than refusing everything.
 */
export function windowsFromPolicy(policy: unknown): PublicationWindow[] {
  const raw = (policy as { publicationWindows?: unknown } | null | undefined)?.publicationWindows;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (w): w is PublicationWindow =>
      Boolean(w) && Array.isArray(w.days) && typeof w.from === 'string' && typeof w.to === 'string' && windowProblems([w]).length === 0,
  );
}

// ---- local time ----

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock date, ISO weekday and minute of day of an instant in tz. */
function local(instant: Date, tz: string): { day: string; weekday: number; minute: number } {
  let fmt = formats.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(tz, fmt);
  }
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(instant)) p[part.type] = part.value;
  const day = `${p.year}-${p.month}-${p.day}`;
  const w = new Date(`${day}T12:00:00Z`).getUTCDay();
  return { day, weekday: w === 0 ? 7 : w, minute: Number(p.hour) * 60 + Number(p.minute) };
}

const MINUTE = 60_000;

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The instants whose local wall-clock time on `day` is `minute`, earliest first: usually one; two
 * on the day the clocks go back; when the time falls into the hour skipped in spring, the first
 * instant after that gap.
 */
function instantsAt(day: string, minute: number, tz: string): Date[] {
  const naive = Date.parse(`${day}T00:00:00Z`) + minute * MINUTE;
  // Every UTC offset in force within a day and a half either side; there is at most one change.
  const offsets = [-36, 0, 36].map((hours) => {
    const probe = naive + hours * 3_600_000;
    const l = local(new Date(probe), tz);
    return Date.parse(`${l.day}T00:00:00Z`) + l.minute * MINUTE - probe;
  });
  const candidates = [...new Set(offsets.map((o) => naive - o))].sort((a, b) => a - b);
  const exact = candidates.filter((c) => {
    const l = local(new Date(c), tz);
    return l.day === day && l.minute === minute;
  });
  if (exact.length) return exact.map((c) => new Date(c));
  // The wall time does not exist (spring gap): walk to the first minute after it.
  let t = candidates[0]!;
  for (let i = 0; i < 240; i += 1, t += MINUTE) {
    const l = local(new Date(t), tz);
    if (l.day > day || (l.day === day && l.minute >= minute)) break;
  }
  return [new Date(t)];
}

// ---- the rule ----

/** Is the instant inside one of the windows? No windows configured: always. */
export function isInPublicationWindow(windows: PublicationWindow[], tz: string, instant: Date): boolean {
  if (windows.length === 0) return true;
  const l = local(instant, tz);
  return windows.some((w) => w.days.includes(l.weekday) && l.minute >= minuteOfDay(w.from, false)! && l.minute < minuteOfDay(w.to, true)!);
}

/**
 * The earliest instant at or after `after` that is inside a window: `after` itself when it is,
 * else the start of the next window. Null only when no window has a day (never for stored
 * windows, which windowsFromPolicy filters).
 */
export function nextPublicationWindow(windows: PublicationWindow[], tz: string, after: Date): Date | null {
  if (isInPublicationWindow(windows, tz, after)) return after;
  const first = local(after, tz).day;
  // Eight local days: every weekday once more, even when the window of today has passed.
  for (let i = 0; i <= 7; i += 1) {
    const day = addDays(first, i);
    const weekday = local(new Date(`${day}T12:00:00Z`), 'UTC').weekday;
    const starts = windows
      .filter((w) => w.days.includes(weekday))
      .flatMap((w) => instantsAt(day, minuteOfDay(w.from, false)!, tz))
      .sort((a, b) => a.getTime() - b.getTime());
    const at = starts.find((s) => s > after && isInPublicationWindow(windows, tz, s));
    if (at) return at;
  }
  return null;
}

// ---- how it is told ----

const DAY_NAMES = {
  de: ['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So'],
  en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
} as const;

/** "Mo–Fr 07:00–19:00; Sa 09:00–12:00": runs of consecutive weekdays are joined. */
export function describeWindows(windows: PublicationWindow[], lang: 'de' | 'en'): string {
  return windows
    .map((w) => {
      const days = [...new Set(w.days)].sort((a, b) => a - b);
      const runs: string[] = [];
      for (let i = 0; i < days.length; ) {
        let j = i;
        while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j += 1;
        const name = (d: number) => DAY_NAMES[lang][d - 1]!;
        runs.push(j === i ? name(days[i]!) : `${name(days[i]!)}–${name(days[j]!)}`);
        i = j + 1;
      }
      return `${runs.join(', ')} ${w.from}–${w.to}`;
    })
    .join('; ');
}

/** "Mo., 30.11.2026, 07:00" / "Mon, 30/11/2026, 07:00" in tz. */
export function formatLocal(instant: Date, tz: string, lang: 'de' | 'en'): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'de-DE', {
    timeZone: tz,
    weekday: 'short',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
}

// ---- enforcement ----

/** A publication time and the request field it came from (for the error details). */
export interface TimedField {
  path: string;
  at: Date;
}

export interface WindowPolicy {
  windows: PublicationWindow[];
  timezone: string;
}

/**
 * Refuses times outside the windows with 422 OUTSIDE_PUBLICATION_WINDOW. The message names the
 * first such time and the next allowed start, both in the organisation's time zone; the details
 * name every field at fault. Crisis communication is exempt.
 */
export function assertInPublicationWindow(policy: WindowPolicy, crisis: boolean, times: (TimedField | null)[]): void {
  if (crisis || policy.windows.length === 0) return;
  const outside = times.filter((t): t is TimedField => t !== null && !isInPublicationWindow(policy.windows, policy.timezone, t.at));
  if (outside.length === 0) return;
  const first = outside[0]!;
  const next = nextPublicationWindow(policy.windows, policy.timezone, first.at);
  const details = [...new Map(outside.map((t) => [t.path, { path: t.path, message: 'outside the publication windows' }])).values()];
  throw new AppError(
    422,
    'OUTSIDE_PUBLICATION_WINDOW',
    {
      time: formatLocal(first.at, policy.timezone, 'de'),
      timeEn: formatLocal(first.at, policy.timezone, 'en'),
      timezone: policy.timezone,
      windows: describeWindows(policy.windows, 'de'),
      windowsEn: describeWindows(policy.windows, 'en'),
      next: next ? formatLocal(next, policy.timezone, 'de') : '—',
      nextEn: next ? formatLocal(next, policy.timezone, 'en') : '—',
      ...(next ? { nextAt: next.toISOString() } : {}),
    },
    details,
  );
}

interface TimedRelease {
  publishAt: Date | null;
  embargoUntil: Date | null;
}

interface TimedPost {
  id: string;
  status: string;
  publishAt: Date | null;
}

/** Posts whose time can still change what goes out. */
const PENDING = ['draft', 'scheduled', 'held'];

/**
 * The release's own planned time: its publishAt, else the end of its embargo (a release without
 * a time goes out at the embargo when approved before it). Null: "as soon as approved", which is
 * checked at approval, when it becomes a time.
 */
export function releaseTime(release: TimedRelease): TimedField | null {
  if (release.publishAt) return { path: 'publishAt', at: release.publishAt };
  if (release.embargoUntil) return { path: 'embargoUntil', at: release.embargoUntil };
  return null;
}

/** The planned time of every pending post: its own, else the release's (create, edit, submit). */
export function plannedTimes(release: TimedRelease, posts: TimedPost[]): (TimedField | null)[] {
  return [
    releaseTime(release),
    ...posts.filter((p) => PENDING.includes(p.status)).map((p) => (p.publishAt ? { path: `posts.${p.id}.publishAt`, at: p.publishAt } : null)),
  ];
}

/**
 * At approval every draft post gets its binding time: the due time, or the approval itself when
 * that is later (a time already passed, or none: "now").
 */
export function approvalTimes(release: TimedRelease, posts: TimedPost[], approvedAt: Date): TimedField[] {
  return posts
    .filter((p) => p.status === 'draft')
    .map((p) => {
      const due = dueAt(release, p, approvedAt);
      const at = due > approvedAt ? due : approvedAt;
      const path = p.publishAt
        ? `posts.${p.id}.publishAt`
        : !release.publishAt && release.embargoUntil && due > approvedAt ? 'embargoUntil' : 'publishAt';
      return { path, at };
    });
}
