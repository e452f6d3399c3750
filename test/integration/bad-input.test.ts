// Every route of the API table gets bad input: always a 4xx with a stable code and a message,
// never a 500. Driven by the route table itself, so a new route is covered automatically.
import { randomUUID } from 'node:crypto';
import { apiRoutes } from '../../src/http/routes/api';
import { addToken, addUser } from '../../src/services/bootstrap';
import { call, createTestOrg, startHarness, type Harness } from '../helpers/harness';

interface Case {
  name: string;
  body?: unknown;
  rawBody?: string | Buffer;
  contentType?: string;
  idParam?: string;
  query?: string;
}

const CASES: Case[] = [
  { name: 'malformed JSON', rawBody: '{"title": "Hallo", ', contentType: 'application/json' },
  { name: 'invalid UTF-8', rawBody: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), contentType: 'application/json' },
  { name: 'JSON array instead of object', body: [1, 2, 3] },
  { name: 'missing fields', body: {} },
  { name: 'wrong types', body: { title: 42, body: false, channelIds: 'x', revision: 'eins', comment: 7, reason: null, email: 3, name: [], roles: 'admin', content: 'text', published: 'ja', policy: 1, type: 'myspace' } },
  { name: 'control characters', body: { title: 'a\u0000b', body: 'x\u0007', comment: 'c\u001b', reason: 'r\u0000', name: 'n\u0000' } },
  { name: '100,000-character fields', body: { title: 'x'.repeat(100_001), comment: 'x'.repeat(100_001), reason: 'x'.repeat(100_001), name: 'x'.repeat(100_001) } },
  { name: 'oversized body', rawBody: JSON.stringify({ body: 'x'.repeat(2 * 1024 * 1024) }), contentType: 'application/json' },
  { name: 'wrong content type', rawBody: 'title=Hallo', contentType: 'application/x-www-form-urlencoded' },
  { name: 'unknown id', idParam: randomUUID() },
  { name: 'malformed id', idParam: "1' OR '1'='1" },
  { name: 'bad query', query: 'status=unbekannt&from=gestern&channelId=nope&entityId=' + 'x'.repeat(200) },
];

describe('bad input on every route', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness();
    const org = await createTestOrg(h);
    const email = `all-roles-${randomUUID().slice(0, 6)}@${org.slug}.test`;
    await addUser(h.deps.db, { orgSlug: org.slug, email, name: 'Alle Rollen', roles: ['editor', 'approver', 'admin'], password: 'correct horse battery' });
    token = await addToken(h.deps.db, { email, name: 'test' });
  });
  afterAll(() => h.close());

  const routes = apiRoutes.filter((r) => r.path !== '/api/v1/auth/login' && r.path !== '/api/v1/auth/logout');

  for (const def of routes) {
    for (const c of CASES) {
      const hasId = def.path.includes(':id');
      if ((c.idParam && !hasId) || (c.query && !def.query)) continue;
      if (!c.idParam && !c.query && def.method === 'GET') continue;
      it(`${def.method} ${def.path}: ${c.name} → 4xx with a code`, async () => {
        const path = def.path.replace(':id', encodeURIComponent(c.idParam ?? randomUUID()));
        const url = c.query ? `${path}?${c.query}` : path;
        const res = await h.app.inject({
          method: def.method,
          url,
          headers: {
            authorization: `Bearer ${token}`,
            ...(c.contentType || c.body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {}),
          },
          payload: c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body)),
        });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        const body = res.json();
        expect(body.error.code).toMatch(/^[A-Z][A-Z_]+$/);
        expect(body.error.message.length).toBeGreaterThan(5);
      });
    }
  }

  it('answers in English when asked', async () => {
    const res = await call(h, 'POST', '/api/v1/releases', { token, body: {}, headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('invalid') });
    expect(res.json().error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'title' })]));
  });

  it('refuses the login route bad input too', async () => {
    for (const payload of ['{', '[]', JSON.stringify({ email: 5 })]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toMatch(/^(MALFORMED_JSON|VALIDATION_FAILED)$/);
    }
  });

  it('answers unknown routes with 404 ROUTE_NOT_FOUND', async () => {
    const res = await call(h, 'GET', '/api/v1/nirgendwo', { token });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ROUTE_NOT_FOUND');
  });
});
