// 5xx answers reach Herold's log (Fastify's own logger is off); outages as warnings, with the
// route template instead of the URL so tokens in query strings stay out of the log.
import Fastify from 'fastify';
import { handleError } from '../../src/http/errors';

describe('handleError', () => {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const log = {
    error: (obj: object, msg: string) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
  const app = Fastify({ logger: false });
  app.setErrorHandler((err, req, reply) => handleError(err, req, reply, log));
  app.get('/boom/:id', async () => {
    throw new Error('boom');
  });
  app.get('/down', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  app.get('/bad', async () => {
    throw new SyntaxError('Unexpected token');
  });

  beforeEach(() => {
    lines.length = 0;
  });
  afterAll(() => app.close());

  it('logs an unexpected error with method and route template, not the query string', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom/42?token=secret-value' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL_ERROR');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'request failed', obj: { method: 'GET', route: '/boom/:id', status: 500 } });
    expect(JSON.stringify(lines[0]!.obj)).not.toContain('secret-value');
  });

  it('logs an outage as a warning and answers 503 with Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/down' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ route: '/down' }) })]);
  });

  it('does not log client errors', async () => {
    const res = await app.inject({ method: 'GET', url: '/bad' });
    expect(res.statusCode).toBe(400);
    expect(lines).toEqual([]);
  });
});
