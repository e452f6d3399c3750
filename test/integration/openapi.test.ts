// The published API description and the operational endpoints: the OpenAPI document must
// describe every operation of the API contract, and the probes must answer without sign-in.
import { addChannels, call, createTestOrg, startHarness, type Harness } from '../helpers/harness';

/** Every operation of the API contract (docs/API.md), as method + OpenAPI path template. */
const CONTRACT = [
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/me',
  'PATCH /api/v1/me',
  'POST /api/v1/tokens',
  'GET /api/v1/users',
  'POST /api/v1/users',
  'PATCH /api/v1/users/{id}',
  'GET /api/v1/channels',
  'POST /api/v1/channels',
  'PATCH /api/v1/channels/{id}',
  'POST /api/v1/channels/{id}/check',
  'POST /api/v1/releases',
  'GET /api/v1/releases',
  'GET /api/v1/releases/{id}',
  'GET /api/v1/releases/{id}/revisions',
  'PATCH /api/v1/releases/{id}',
  'PATCH /api/v1/posts/{id}',
  'POST /api/v1/releases/{id}/submit',
  'POST /api/v1/releases/{id}/approve',
  'POST /api/v1/releases/{id}/reject',
  'POST /api/v1/releases/{id}/cancel',
  'POST /api/v1/preview',
  'GET /api/v1/posts',
  'POST /api/v1/posts/{id}/retry',
  'POST /api/v1/posts/{id}/resolve',
  'GET /api/v1/calendar.ics',
  'GET /api/v1/org',
  'PATCH /api/v1/org',
  'POST /api/v1/org/pause',
  'POST /api/v1/org/resume',
  'GET /api/v1/audit',
  'GET /api/v1/audit/verify',
  'GET /api/v1/audit/export',
];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses?: Record<string, unknown>;
  security?: Record<string, unknown>[];
}

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Record<string, unknown>>; securitySchemes?: Record<string, unknown> };
}

/** Follows a local "#/components/..." reference. */
function resolve(doc: OpenApiDoc, schema: Record<string, unknown>): Record<string, unknown> {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  expect(ref).toMatch(/^#\//);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
  expect(node).toBeDefined();
  return resolve(doc, node as Record<string, unknown>);
}

function operations(doc: OpenApiDoc): { key: string; path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    h = await startHarness();
    const res = await call(h, 'GET', '/api/docs/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json();
  });
  afterAll(() => h.close());

  it('is served without sign-in as OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info?.title).toBe('string');
    expect(doc.info.title.length).toBeGreaterThan(0);
    expect(typeof doc.info.version).toBe('string');
    expect(doc.paths).toEqual(expect.any(Object));
  });

  it('uses OpenAPI path templates and well-formed operations', () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(CONTRACT.length - 1);
    for (const { key, path, op } of ops) {
      expect({ key, startsWithSlash: path.startsWith('/'), expressStyle: /\/:/.test(path) }).toEqual({ key, startsWithSlash: true, expressStyle: false });
      const success = Object.keys(op.responses ?? {}).filter((code) => /^2\d\d$/.test(code));
      expect({ key, success: success.length }).toEqual({ key, success: 1 });
      // Every {param} in the template is declared as a required path parameter.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path' && p.required === true).map((p) => p.name).sort();
      expect({ key, declared }).toEqual({ key, declared: templated });
    }
  });

  it('only refers to security schemes and schemas it defines', () => {
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    for (const { key, op } of operations(doc)) {
      for (const requirement of op.security ?? []) {
        for (const name of Object.keys(requirement)) expect({ key, name, known: schemes.includes(name) }).toEqual({ key, name, known: true });
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) resolve(doc, { $ref: ref });
  });

  it('describes every operation of the API contract', () => {
    const documented = new Set(operations(doc).map((o) => o.key));
    const missing = CONTRACT.filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });

  it('names JSON Lines, not JSON, as the answer of the audit export, as the route sends it', async () => {
    const op = doc.paths['/api/v1/audit/export']?.get;
    expect(op).toBeDefined();
    expect(Object.keys((op!.responses?.['200'] as { content?: object })?.content ?? {})).toEqual(['application/jsonl']);
    const org = await createTestOrg(h);
    const res = await call(h, 'GET', '/api/v1/audit/export', { token: org.approver.token });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type']).split(';')[0]).toBe('application/jsonl');
  });

  it('requires title, body and channelIds in every documented body of POST /api/v1/releases', () => {
    const op = doc.paths['/api/v1/releases']?.post;
    expect(op).toBeDefined();
    const content = op!.requestBody?.content ?? {};
    const bodies = Object.entries(content);
    expect(bodies.length).toBeGreaterThan(0);
    for (const [mediaType, { schema }] of bodies) {
      expect(schema).toBeDefined();
      const resolved = resolve(doc, schema!);
      const required = (resolved.required ?? []) as string[];
      expect({ mediaType, required }).toEqual({ mediaType, required: expect.arrayContaining(['title', 'body', 'channelIds']) });
      const properties = (resolved.properties ?? {}) as Record<string, unknown>;
      expect(Object.keys(properties)).toEqual(expect.arrayContaining(['title', 'body', 'channelIds']));
    }
  });
});

describe('operational endpoints', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('answers GET /healthz with 200 without sign-in', async () => {
    const res = await call(h, 'GET', '/healthz');
    expect(res.statusCode).toBe(200);
  });

  it('answers GET /readyz with 200 {status: "ready"} when PostgreSQL and Redis answer', async () => {
    const res = await call(h, 'GET', '/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready' });
  });

  it('answers GET /metrics with text that counts posts by status', async () => {
    const org = await createTestOrg(h);
    const channels = await addChannels(h, org);
    const release = await call(h, 'POST', '/api/v1/releases', {
      token: org.author.token,
      body: { title: 'Metriken', body: 'Die Stadt misst, was sie veröffentlicht.', channelIds: [channels.blog] },
    });
    expect(release.statusCode).toBe(201);

    const res = await call(h, 'GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('herold_posts');
    expect(res.body).toMatch(/^herold_posts\{status="draft"\} [1-9]\d*$/m);
    expect(res.body).toMatch(/^herold_up 1$/m);
  });
});
