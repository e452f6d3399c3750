// QUALITY.md "Security", bad input: malformed JSON and wrong types on every route of the API table
// that takes a body (test/integration/bad-input.test.ts tries a few; this tries all of them, so a
// new route is covered the day it is added). Ids in paths are random: the body is judged before
// any object is looked up, so nothing is changed.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { apiRoutes } from '../../src/http/routes/api';
import { createTestOrg, freshAddress, principal, startHarness, type Harness, type Principal } from './helpers';

const MALFORMED = ['{', '{"title": "x",}', "{'title': 'x'}", '{"title": "x"} trailing', 'NaN', '{"a": undefined}', '\u0000', '[1, 2'];
const WRONG_TYPES: unknown[] = [42, true, null, ['x'], { $gt: '' }, 'x'.repeat(10)];

describe('malformed JSON and wrong types on every route with a body', () => {
  let h: Harness;
  let all: Principal;
  const bodyRoutes = apiRoutes.filter((d) => d.body);

  beforeAll(async () => {
    h = await startHarness();
    const org = await createTestOrg(h);
    all = await principal(h, org.slug, ['editor', 'approver', 'admin']);
  });
  afterAll(() => h.close());

  const send = (method: string, path: string, payload: string) =>
    h.app.inject({
      method: method as 'POST',
      url: path.replace(/:\w+/g, () => randomUUID()),
      remoteAddress: freshAddress(),
      headers: { authorization: `Bearer ${all.token}`, 'content-type': 'application/json' },
      payload,
    });

  /** The top-level fields a route's body schema names. */
  const fieldsOf = (schema: unknown): string[] => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : []);

  it('answers malformed JSON with 400 MALFORMED_JSON (or INVALID_ENCODING) on every route, never a 500', async () => {
    const wrong: string[] = [];
    for (const def of bodyRoutes) {
      for (const payload of MALFORMED) {
        const res = await send(def.method, def.path, payload);
        const code = res.headers['content-type']?.toString().startsWith('application/json') ? res.json().error?.code : 'not JSON';
        if (res.statusCode !== 400 || !['MALFORMED_JSON', 'INVALID_ENCODING'].includes(code)) wrong.push(`${def.method} ${def.path} ${JSON.stringify(payload)}: ${res.statusCode} ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers a body of the wrong type, and every field of the wrong type, with a 4xx naming the field, never a 500', async () => {
    const wrong: string[] = [];
    for (const def of bodyRoutes) {
      // (A JSON null is read like an empty body: a PATCH without fields, a POST missing them.)
      for (const body of [42, 'text', [], [{}]]) {
        const res = await send(def.method, def.path, JSON.stringify(body));
        if (res.statusCode !== 400) wrong.push(`${def.method} ${def.path} body=${JSON.stringify(body)}: ${res.statusCode}`);
      }
      for (const field of fieldsOf(def.body)) {
        for (const value of WRONG_TYPES) {
          const res = await send(def.method, def.path, JSON.stringify({ [field]: value }));
          if (res.statusCode >= 500) wrong.push(`${def.method} ${def.path} ${field}=${JSON.stringify(value)}: ${res.statusCode} ${res.body}`);
          // A 400 names what is wrong, for the press officer and for the integrator.
          if (res.statusCode === 400 && !(res.json().error?.details?.length > 0) && res.json().error?.code === 'VALIDATION_FAILED') {
            wrong.push(`${def.method} ${def.path} ${field}: 400 without details`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
