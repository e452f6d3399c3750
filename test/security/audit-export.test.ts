// Issue 7: the audit log exported for the records office as JSON Lines — the organisation's whole
// hash chain, oldest first, ending in the chain head — so the file can be checked outside Herold.
// More events than one page (AUDIT_PAGE_SIZE) make the export page through the chain; another
// organisation's events are interleaved with them so keyset paging meets gaps in `seq`.
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Actor } from '../../src/domain/actor';
import { actorFromToken } from '../../src/services/auth';
import { exportEvents, type ChainHeadLine } from '../../src/services/audit';
import { addOrg } from '../../src/services/bootstrap';
import { appendAudit, AUDIT_PAGE_SIZE, auditPages, eventHash, GENESIS_HASH } from '../../src/store/audit';
import { call, cookieHeaders, principal, signIn, startHarness, type Harness, type Principal } from './helpers';

interface Line {
  id: string;
  seq: number;
  at: string;
  actorId: string | null;
  actorType: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  data: unknown;
  hash: string;
  prevHash: string;
  keyId?: string;
}

interface Parsed {
  events: Line[];
  head: ChainHeadLine;
}

/** Splits an export into its event lines and its last line, checking the JSON Lines framing. */
function parseExport(body: string): Parsed {
  expect(body.endsWith('\n')).toBe(true);
  const lines = body.slice(0, -1).split('\n');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const head = parsed.pop() as unknown as ChainHeadLine;
  expect(head.type).toBe('chain_head');
  expect(parsed.filter((p) => 'type' in p)).toEqual([]);
  return { events: parsed as unknown as Line[], head };
}

/** What a reader without the key can check: every line names its predecessor's hash, and the last one is the head. */
function linkageProblems({ events, head }: Parsed): string[] {
  const problems: string[] = [];
  let prev = head.genesis;
  for (const e of events) {
    if (e.prevHash !== prev) problems.push(`seq ${e.seq}: prevHash does not name the line before`);
    prev = e.hash;
  }
  if (prev !== head.hash) problems.push('last line is not the chain head');
  if (events.length !== head.count) problems.push(`${events.length} lines, head counts ${head.count}`);
  return problems;
}

/** What a holder of HEROLD_SECRET_KEY can check: every hash, recomputed the way Herold derives its audit key. */
function hashProblems({ events, head }: Parsed, secret: Buffer): string[] {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'herold-audit-chain', 32));
  return events
    .filter((e) => eventHash({ ...e, orgId: head.orgId, at: new Date(e.at), data: e.data as never }, key) !== e.hash)
    .map((e) => `seq ${e.seq}: hash does not recompute`);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

describe('audit export for the records office', () => {
  let h: Harness;
  let A: { id: string; slug: string };
  let B: { id: string; slug: string };
  let approver: Principal;
  let admin: Principal;
  let editor: Principal;
  let otherApprover: Principal;

  const exportsOf = (orgId: string) => h.deps.db.auditEvent.count({ where: { orgId, action: 'audit.exported' } });
  const headOf = async (orgId: string) => h.deps.db.auditHead.findUniqueOrThrow({ where: { orgId } });
  const actorOf = async (p: Principal): Promise<Actor> => (await actorFromToken(h.deps, p.token))!;

  beforeAll(async () => {
    h = await startHarness();
    const slug = `export-${randomBytes(4).toString('hex')}`;
    A = { id: (await addOrg(h.deps.db, { slug, name: 'Archivstadt' })).id, slug };
    B = { id: (await addOrg(h.deps.db, { slug: `${slug}-b`, name: 'Nachbarstadt' })).id, slug: `${slug}-b` };
    approver = await principal(h, A.slug, ['approver']);
    admin = await principal(h, A.slug, ['admin']);
    editor = await principal(h, A.slug, ['editor']);
    otherApprover = await principal(h, B.slug, ['approver']);
    // More than one page of events, every 25th followed by one of B, so A's seq numbers have gaps.
    // Data with line breaks, quotes and non-ASCII must stay on its own line.
    const total = AUDIT_PAGE_SIZE + 150;
    for (let start = 0; start < total; start += 150) {
      await h.deps.db.$transaction(
        async (tx) => {
          for (let i = start; i < Math.min(start + 150, total); i += 1) {
            await appendAudit(tx, {
              orgId: A.id,
              actorType: 'system',
              action: 'test.filler',
              entityType: 'release',
              entityId: `r-${i}`,
              data: { i, note: i % 100 === 0 ? 'Zeile 1\nZeile 2 "zitiert" – Straße 🚒' : 'Füllung' },
            });
            if (i % 25 === 0) await appendAudit(tx, { orgId: B.id, actorType: 'system', action: 'test.foreign', entityId: `b-${i}`, data: { i } });
          }
        },
        { timeout: 60_000 },
      );
    }
  }, 120_000);
  afterAll(() => h.close());

  it('reads the chain page by page, each page at most AUDIT_PAGE_SIZE events, oldest first', async () => {
    const pages: number[] = [];
    const seqs: bigint[] = [];
    for await (const page of auditPages(h.deps.db, A.id)) {
      pages.push(page.length);
      seqs.push(...page.map((e) => e.seq));
    }
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...pages)).toBeLessThanOrEqual(AUDIT_PAGE_SIZE);
    const all = await h.deps.db.auditEvent.findMany({ where: { orgId: A.id }, orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(seqs).toEqual(all.map((e) => e.seq));
  });

  it('exports every event of the organisation exactly once, oldest first, linked, ending in the chain head', async () => {
    const before = await exportsOf(A.id);
    const res = await call(h, 'GET', '/api/v1/audit/export', { token: approver.token });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/jsonl; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');

    const parsed = parseExport(res.body);
    const { events, head } = parsed;
    expect(res.headers['content-disposition']).toBe(`attachment; filename="herold-audit-${A.slug}-${head.exportedAt.slice(0, 10)}.jsonl"`);
    const stored = await h.deps.db.auditEvent.findMany({ where: { orgId: A.id }, orderBy: { seq: 'asc' } });
    expect(events.length).toBeGreaterThan(AUDIT_PAGE_SIZE);
    expect(events.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.map((e) => e.seq)).toEqual(stored.map((e) => Number(e.seq)));

    expect(head.genesis).toBe(GENESIS_HASH);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(linkageProblems(parsed)).toEqual([]);
    const dbHead = await headOf(A.id);
    expect(head).toEqual({
      type: 'chain_head',
      orgId: A.id,
      org: A.slug,
      seq: Number(dbHead.seq),
      hash: dbHead.hash,
      count: dbHead.events,
      genesis: GENESIS_HASH,
      exportedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });

    // The export recorded itself before it was sent: its own event is the last line.
    expect(await exportsOf(A.id)).toBe(before + 1);
    expect(events[events.length - 1]).toMatchObject({ action: 'audit.exported', actorId: approver.id, actorType: 'token', entityId: A.id, data: { count: head.count, format: 'jsonl' } });
    // Text with a line break stays on its line.
    expect(events.filter((e) => (e.data as { note?: string }).note?.includes('\n')).length).toBeGreaterThan(0);
  });

  it('can be checked outside Herold: without the key the links, with HEROLD_SECRET_KEY every hash', async () => {
    const parsed = parseExport((await call(h, 'GET', '/api/v1/audit/export', { token: admin.token })).body);
    expect(linkageProblems(parsed)).toEqual([]);
    const [current] = h.config.secretKeys;
    expect(parsed.events.every((e) => e.keyId === current!.id)).toBe(true);
    expect(hashProblems(parsed, current!.key)).toEqual([]);
    // Without the key the hashes cannot be recomputed: they are HMACs, not plain SHA-256.
    const first = parsed.events[0]!;
    expect(eventHash({ ...first, orgId: parsed.head.orgId, at: new Date(first.at), data: first.data as never })).not.toBe(first.hash);

    // The checks above do catch a doctored file: a changed line, a dropped line, a cut-off end.
    const changed = { ...parsed, events: parsed.events.map((e, i) => (i === 500 ? { ...e, data: { forged: true } } : e)) };
    expect(hashProblems(changed, current!.key)).toEqual([`seq ${parsed.events[500]!.seq}: hash does not recompute`]);
    expect(linkageProblems({ ...parsed, events: parsed.events.filter((_e, i) => i !== 500) }).length).toBeGreaterThan(0);
    expect(linkageProblems({ ...parsed, events: parsed.events.slice(0, -1) })).toContain('last line is not the chain head');
  });

  it('never shows another organisation\'s events, and theirs shows none of these', async () => {
    const own = await call(h, 'GET', '/api/v1/audit/export', { token: approver.token });
    const foreignIds = (await h.deps.db.auditEvent.findMany({ where: { orgId: B.id }, select: { id: true } })).map((e) => e.id);
    expect(foreignIds.length).toBeGreaterThan(40);
    expect(foreignIds.filter((id) => own.body.includes(id))).toEqual([]);
    expect(own.body).not.toContain(B.id);
    expect(own.body).not.toContain('test.foreign');

    const theirs = await call(h, 'GET', '/api/v1/audit/export', { token: otherApprover.token });
    const parsed = parseExport(theirs.body);
    expect(parsed.head).toMatchObject({ orgId: B.id, org: B.slug });
    // B's chain as stored, now with B's own export at its end.
    const theirsStored = await h.deps.db.auditEvent.findMany({ where: { orgId: B.id }, orderBy: { seq: 'asc' }, select: { id: true } });
    expect(parsed.events.map((e) => e.id)).toEqual(theirsStored.map((e) => e.id));
    expect(parsed.events.slice(0, -1).map((e) => e.id).sort()).toEqual([...foreignIds].sort());
    expect(linkageProblems(parsed)).toEqual([]);
    expect(theirs.body).not.toContain(A.id);
    expect(theirs.body).not.toContain('test.filler');
  });

  it('refuses editors (403) and anonymous callers (401) without sending or recording anything', async () => {
    const before = await headOf(A.id);
    const refused = await call(h, 'GET', '/api/v1/audit/export', { token: editor.token });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    expect(refused.body).not.toContain('prevHash');
    const anonymous = await call(h, 'GET', '/api/v1/audit/export');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('prevHash');
    // The service refuses on its own too (the staff UI calls it without the route table).
    await expect(exportEvents(h.deps, await actorOf(editor))).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });

    const uiEditor = await signIn(h, editor.email);
    const ui = await h.app.inject({ method: 'GET', url: '/app/audit/export.jsonl', headers: cookieHeaders(uiEditor) });
    expect(ui.statusCode).toBe(403);
    expect(ui.headers['content-type']).toMatch(/^text\/html/);
    expect(ui.body).not.toContain('prevHash');
    // Only the editor's sign-in was recorded.
    expect((await headOf(A.id)).events).toBe(before.events + 1);
  });

  it('refuses a time filter instead of exporting a slice that could not be checked for completeness', async () => {
    const before = await exportsOf(A.id);
    const res = await call(h, 'GET', `/api/v1/audit/export?from=${encodeURIComponent('2026-01-01T00:00:00Z')}`, { token: approver.token });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await exportsOf(A.id)).toBe(before);
  });

  it('ends at the head it recorded: events appended while it streams belong to the next export', async () => {
    const exp = await exportEvents(h.deps, await actorOf(approver));
    await h.deps.db.$transaction((tx) => appendAudit(tx, { orgId: A.id, actorType: 'system', action: 'test.meanwhile', data: {} }));
    const parsed = parseExport(await readAll(exp.lines));
    expect(parsed.head).toEqual(exp.head);
    expect(parsed.events.map((e) => e.action)).not.toContain('test.meanwhile');
    expect(linkageProblems(parsed)).toEqual([]);

    const next = parseExport((await call(h, 'GET', '/api/v1/audit/export', { token: approver.token })).body);
    expect(next.events.map((e) => e.action).slice(-2)).toEqual(['test.meanwhile', 'audit.exported']);
    expect(linkageProblems(next)).toEqual([]);
  });

  it('gives the same full chain through the staff UI link, whatever the page filter, recorded as the signed-in user', async () => {
    const session = await signIn(h, admin.email);
    const api = parseExport((await call(h, 'GET', '/api/v1/audit/export', { token: admin.token })).body);
    const res = await h.app.inject({ method: 'GET', url: '/app/audit/export.jsonl?from=2026-01-01T00%3A00&entityId=r-1', headers: cookieHeaders(session) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/jsonl; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="herold-audit-${A.slug}-\\d{4}-\\d{2}-\\d{2}\\.jsonl"$`));
    expect(res.headers['cache-control']).toBe('no-store');
    const ui = parseExport(res.body);
    // Everything the API export had, line for line, then the UI export's own event.
    expect(ui.events.slice(0, -1)).toEqual(api.events);
    expect(ui.events[ui.events.length - 1]).toMatchObject({ action: 'audit.exported', actorId: admin.id, actorType: 'user', data: { count: api.head.count + 1 } });
    expect(ui.head.count).toBe(api.head.count + 1);
    expect(linkageProblems(ui)).toEqual([]);

    // The page says so next to the link, which carries no filter.
    const page = await h.app.inject({ method: 'GET', url: '/app/audit?entityId=r-1', headers: cookieHeaders(session) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/app/audit/export.jsonl"');
    expect(page.body).toContain('immer das ganze Protokoll der Organisation');
  });

  it('leaves a chain that still verifies after all these exports', async () => {
    const res = await call(h, 'GET', '/api/v1/audit/verify', { token: admin.token });
    expect(res.json()).toEqual({ ok: true, events: (await headOf(A.id)).events });
  });
});
