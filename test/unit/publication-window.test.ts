// src/domain/publication-window.ts: publication windows in the organisation's local time.
import {
  approvalTimes,
  assertInPublicationWindow,
  describeWindows,
  isInPublicationWindow,
  nextPublicationWindow,
  plannedTimes,
  windowProblems,
  windowsFromPolicy,
  type PublicationWindow,
} from '../../src/domain/publication-window';
import { appError } from '../helpers/app-error';

const BERLIN = 'Europe/Berlin';
const WEEKDAYS: PublicationWindow[] = [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }];
const at = (iso: string) => new Date(iso);
const inside = (windows: PublicationWindow[], iso: string, tz = BERLIN) => isInPublicationWindow(windows, tz, at(iso));
const next = (windows: PublicationWindow[], iso: string, tz = BERLIN) => nextPublicationWindow(windows, tz, at(iso))?.toISOString();

describe('isInPublicationWindow', () => {
  it('allows every time when no window is configured', () => {
    expect(inside([], '2026-11-28T23:59:00+01:00')).toBe(true);
    expect(nextPublicationWindow([], BERLIN, at('2026-11-28T23:59:00+01:00'))?.toISOString()).toBe('2026-11-28T22:59:00.000Z');
  });

  it('uses ISO weekdays in local time: Friday yes, Saturday and Sunday no', () => {
    expect(inside(WEEKDAYS, '2026-11-27T12:00:00+01:00')).toBe(true); // Friday
    expect(inside(WEEKDAYS, '2026-11-28T12:00:00+01:00')).toBe(false); // Saturday
    expect(inside(WEEKDAYS, '2026-11-29T12:00:00+01:00')).toBe(false); // Sunday (7)
    expect(inside([{ days: [7], from: '10:00', to: '12:00' }], '2026-11-29T11:00:00+01:00')).toBe(true);
    expect(inside(WEEKDAYS, '2026-11-30T12:00:00+01:00')).toBe(true); // Monday (1)
  });

  it('counts `from` in and `to` out', () => {
    expect(inside(WEEKDAYS, '2026-11-27T06:59:59+01:00')).toBe(false);
    expect(inside(WEEKDAYS, '2026-11-27T07:00:00+01:00')).toBe(true);
    expect(inside(WEEKDAYS, '2026-11-27T18:59:59+01:00')).toBe(true);
    expect(inside(WEEKDAYS, '2026-11-27T19:00:00+01:00')).toBe(false);
  });

  it('decides the weekday in the organisation time zone, not in UTC', () => {
    // Monday 00:30 in Berlin is still Sunday in UTC.
    const monday = [{ days: [1], from: '00:00', to: '01:00' }];
    expect(inside(monday, '2026-11-29T23:30:00Z')).toBe(true);
    expect(inside(monday, '2026-11-29T23:30:00Z', 'UTC')).toBe(false);
    // Friday 18:30 in New York is inside there; the same instant is Saturday 00:30 in Berlin.
    expect(inside(WEEKDAYS, '2026-11-27T18:30:00-05:00', 'America/New_York')).toBe(true);
    expect(inside(WEEKDAYS, '2026-11-27T18:30:00-05:00')).toBe(false);
  });

  it('lets "24:00" end a window at midnight and allows several windows', () => {
    const evening = [
      { days: [6], from: '20:00', to: '24:00' },
      { days: [6], from: '09:00', to: '12:00' },
    ];
    expect(inside(evening, '2026-11-28T23:59:00+01:00')).toBe(true);
    expect(inside(evening, '2026-11-29T00:00:00+01:00')).toBe(false);
    expect(inside(evening, '2026-11-28T10:00:00+01:00')).toBe(true);
    expect(inside(evening, '2026-11-28T13:00:00+01:00')).toBe(false);
  });

  it('follows the clocks on the day summer time starts (last Sunday of March)', () => {
    const sunday = [{ days: [7], from: '03:00', to: '04:00' }];
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    expect(inside(sunday, '2026-03-29T00:59:00Z')).toBe(false); // 01:59 CET
    expect(inside(sunday, '2026-03-29T01:00:00Z')).toBe(true); // 03:00 CEST
    expect(inside(sunday, '2026-03-29T01:59:00Z')).toBe(true); // 03:59 CEST
    expect(inside(sunday, '2026-03-29T02:00:00Z')).toBe(false); // 04:00 CEST
    // Summer time: 07:00 local is 05:00 UTC the day after.
    expect(inside(WEEKDAYS, '2026-03-30T04:59:00Z')).toBe(false);
    expect(inside(WEEKDAYS, '2026-03-30T05:00:00Z')).toBe(true);
  });

  it('counts the repeated hour twice on the day summer time ends (last Sunday of October)', () => {
    const sunday = [{ days: [7], from: '02:00', to: '03:00' }];
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET at 01:00 UTC; 02:00–02:59 happens twice.
    expect(inside(sunday, '2026-10-24T23:59:00Z')).toBe(false); // 01:59 CEST
    expect(inside(sunday, '2026-10-25T00:00:00Z')).toBe(true); // 02:00 CEST
    expect(inside(sunday, '2026-10-25T01:30:00Z')).toBe(true); // 02:30 CET
    expect(inside(sunday, '2026-10-25T02:00:00Z')).toBe(false); // 03:00 CET
    // Winter time again: 07:00 local is 06:00 UTC.
    expect(inside(WEEKDAYS, '2026-10-26T05:59:00Z')).toBe(false);
    expect(inside(WEEKDAYS, '2026-10-26T06:00:00Z')).toBe(true);
  });
});

describe('nextPublicationWindow', () => {
  it('is the instant itself when it is inside', () => {
    expect(next(WEEKDAYS, '2026-11-27T10:00:00Z')).toBe('2026-11-27T10:00:00.000Z');
  });

  it('is Monday 07:00 from Friday evening and from the weekend', () => {
    expect(next(WEEKDAYS, '2026-11-27T19:00:00+01:00')).toBe('2026-11-30T06:00:00.000Z');
    expect(next(WEEKDAYS, '2026-11-28T11:00:00+01:00')).toBe('2026-11-30T06:00:00.000Z');
    expect(next(WEEKDAYS, '2026-11-30T06:59:00+01:00')).toBe('2026-11-30T06:00:00.000Z');
  });

  it('is the same day when the window has not opened yet, and a week later for a single weekday', () => {
    expect(next(WEEKDAYS, '2026-11-27T05:00:00+01:00')).toBe('2026-11-27T06:00:00.000Z');
    const fridays = [{ days: [5], from: '10:00', to: '11:00' }];
    expect(next(fridays, '2026-11-27T11:00:00+01:00')).toBe('2026-12-04T09:00:00.000Z');
  });

  it('takes the earlier of two windows on a day', () => {
    const two = [
      { days: [6], from: '14:00', to: '15:00' },
      { days: [6], from: '09:00', to: '10:00' },
    ];
    expect(next(two, '2026-11-28T08:00:00+01:00')).toBe('2026-11-28T08:00:00.000Z');
    expect(next(two, '2026-11-28T10:00:00+01:00')).toBe('2026-11-28T13:00:00.000Z');
  });

  it('crosses the start of summer time with the right offset', () => {
    // Saturday 28 March (CET) → Monday 30 March 07:00 CEST = 05:00 UTC.
    expect(next(WEEKDAYS, '2026-03-28T12:00:00+01:00')).toBe('2026-03-30T05:00:00.000Z');
    // A window opening inside the skipped hour opens when the clocks show 03:00.
    expect(next([{ days: [7], from: '02:30', to: '05:00' }], '2026-03-29T00:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
  });

  it('crosses the end of summer time and opens at the first of two equal wall times', () => {
    // Saturday 24 October (CEST) → Monday 26 October 07:00 CET = 06:00 UTC.
    expect(next(WEEKDAYS, '2026-10-24T12:00:00+02:00')).toBe('2026-10-26T06:00:00.000Z');
    const repeated = [{ days: [7], from: '02:30', to: '02:45' }];
    expect(next(repeated, '2026-10-24T23:00:00Z')).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    // After the first 02:30–02:45 has passed, the second one (CET) is next.
    expect(next(repeated, '2026-10-25T00:50:00Z')).toBe('2026-10-25T01:30:00.000Z');
  });
});

describe('windowProblems and windowsFromPolicy', () => {
  it('accepts ordinary windows and 24:00 as an end', () => {
    expect(windowProblems([...WEEKDAYS, { days: [6, 7], from: '00:00', to: '24:00' }])).toEqual([]);
  });

  it('refuses `to` not after `from` (over midnight), no weekday, and times that do not exist', () => {
    expect(windowProblems([{ days: [1], from: '22:00', to: '02:00' }]).map((p) => p.path)).toEqual(['policy.publicationWindows.0.to']);
    expect(windowProblems([{ days: [1], from: '09:00', to: '09:00' }]).map((p) => p.path)).toEqual(['policy.publicationWindows.0.to']);
    expect(windowProblems([{ days: [], from: '09:00', to: '10:00' }]).map((p) => p.path)).toEqual(['policy.publicationWindows.0.days']);
    expect(windowProblems([{ days: [1], from: '24:00', to: '24:00' }]).map((p) => p.path)).toEqual(['policy.publicationWindows.0.from']);
    expect(windowProblems([{ days: [1], from: '07:61', to: '25:00' }]).map((p) => p.path)).toEqual([
      'policy.publicationWindows.0.from',
      'policy.publicationWindows.0.to',
    ]);
  });

  it('reads the windows of a policy and leaves out unusable stored ones', () => {
    expect(windowsFromPolicy({})).toEqual([]);
    expect(windowsFromPolicy(null)).toEqual([]);
    expect(windowsFromPolicy({ publicationWindows: [...WEEKDAYS, { days: [6], from: '20:00', to: '08:00' }, 'x'] })).toEqual(WEEKDAYS);
  });
});

describe('describeWindows', () => {
  it('joins runs of weekdays, in German and English', () => {
    const windows = [...WEEKDAYS, { days: [7, 6, 3], from: '10:00', to: '12:00' }];
    expect(describeWindows(windows, 'de')).toBe('Mo–Fr 07:00–19:00; Mi, Sa–So 10:00–12:00');
    expect(describeWindows(windows, 'en')).toBe('Mon–Fri 07:00–19:00; Wed, Sat–Sun 10:00–12:00');
  });
});

describe('assertInPublicationWindow', () => {
  const policy = { windows: WEEKDAYS, timezone: BERLIN };
  const saturday = at('2026-11-28T11:00:00+01:00');

  it('refuses a time outside with 422, naming the time, the windows and the next window', () => {
    const err = appError(() => assertInPublicationWindow(policy, false, [{ path: 'publishAt', at: saturday }]));
    expect({ status: err.status, code: err.code, details: err.details }).toEqual({
      status: 422,
      code: 'OUTSIDE_PUBLICATION_WINDOW',
      details: [{ path: 'publishAt', message: 'outside the publication windows' }],
    });
    expect(err.params).toMatchObject({
      time: 'Sa., 28.11.2026, 11:00',
      timeEn: 'Sat, 28/11/2026, 11:00',
      timezone: BERLIN,
      windows: 'Mo–Fr 07:00–19:00',
      next: 'Mo., 30.11.2026, 07:00',
      nextEn: 'Mon, 30/11/2026, 07:00',
      nextAt: '2026-11-30T06:00:00.000Z',
    });
  });

  it('lets crisis communication, times inside and "no time yet" pass', () => {
    expect(() => assertInPublicationWindow(policy, true, [{ path: 'publishAt', at: saturday }])).not.toThrow();
    expect(() => assertInPublicationWindow(policy, false, [{ path: 'publishAt', at: at('2026-11-27T10:00:00+01:00') }, null])).not.toThrow();
    expect(() => assertInPublicationWindow({ windows: [], timezone: BERLIN }, false, [{ path: 'publishAt', at: saturday }])).not.toThrow();
  });
});

describe('which times are checked', () => {
  const friday = at('2026-11-27T10:00:00+01:00');
  const saturday = at('2026-11-28T11:00:00+01:00');

  it('plans with the release time or the embargo, and a post time of its own', () => {
    const posts = [
      { id: 'a', status: 'draft', publishAt: null },
      { id: 'b', status: 'draft', publishAt: saturday },
      { id: 'c', status: 'published', publishAt: saturday },
    ];
    expect(plannedTimes({ publishAt: friday, embargoUntil: null }, posts)).toEqual([
      { path: 'publishAt', at: friday },
      null,
      { path: 'posts.b.publishAt', at: saturday },
    ]);
    expect(plannedTimes({ publishAt: null, embargoUntil: saturday }, [])).toEqual([{ path: 'embargoUntil', at: saturday }]);
    expect(plannedTimes({ publishAt: null, embargoUntil: null }, [])).toEqual([null]);
  });

  it('binds "as soon as approved" and times already passed to the approval instant', () => {
    const approvedAt = saturday;
    const posts = [
      { id: 'a', status: 'draft', publishAt: null },
      { id: 'b', status: 'draft', publishAt: friday },
      { id: 'c', status: 'cancelled', publishAt: null },
    ];
    expect(approvalTimes({ publishAt: null, embargoUntil: null }, posts, approvedAt)).toEqual([
      { path: 'publishAt', at: saturday },
      { path: 'posts.b.publishAt', at: saturday },
    ]);
    const monday = at('2026-11-30T09:00:00+01:00');
    expect(approvalTimes({ publishAt: null, embargoUntil: monday }, posts.slice(0, 1), approvedAt)).toEqual([{ path: 'embargoUntil', at: monday }]);
  });
});
