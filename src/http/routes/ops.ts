// Operational endpoints: liveness, readiness (PostgreSQL and Redis reachable), metrics.
// /healthz and /readyz say only "ok" or "unavailable" and stay open for load balancers; /metrics
// tells how much is being published and queued, so it needs HEROLD_METRICS_TOKEN as a bearer
// token, or, without one, a direct connection from this host (a local Prometheus agent).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../domain/errors';
import type { Deps } from '../../services/deps';

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'loopback';
}

/** Throws 401/403 unless the caller may read the metrics. */
export function assertMetricsAccess(token: string | null, req: FastifyRequest) {
  if (token !== null) {
    const sent = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const [a, b] = [Buffer.from(sent), Buffer.from(token)];
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError(401, 'UNAUTHENTICATED');
    return;
  }
  // The socket's address, not req.ip: a reverse proxy on this host would make every visitor look
  // local, so a request that came through one (forwarding headers) is refused too.
  const proxied = FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
  if (proxied || !isLoopback(req.socket.remoteAddress)) throw new AppError(403, 'FORBIDDEN');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

export function registerOps(app: FastifyInstance, deps: Deps) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const [database, redis] = await Promise.all([
      withTimeout(deps.db.$queryRaw`SELECT 1`, 2000).then(() => 'ok', () => 'unavailable'),
      withTimeout(deps.redis.ping(), 2000).then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = database === 'ok' && redis === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', database, redis });
  });

  app.get('/metrics', async (req, reply) => {
    assertMetricsAccess(deps.config.metricsToken, req);
    const lines = ['# HELP herold_posts Posts by status.', '# TYPE herold_posts gauge'];
    try {
      const counts = await withTimeout(deps.db.post.groupBy({ by: ['status'], _count: { _all: true } }), 2000);
      for (const row of counts) lines.push(`herold_posts{status="${row.status}"} ${row._count._all}`);
      const queue = await withTimeout(deps.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), 2000);
      lines.push('# HELP herold_queue_jobs Jobs in the publish queue by state.', '# TYPE herold_queue_jobs gauge');
      for (const [state, n] of Object.entries(queue)) lines.push(`herold_queue_jobs{state="${state}"} ${n}`);
      lines.push('# HELP herold_up 1 when PostgreSQL and Redis answered.', '# TYPE herold_up gauge', 'herold_up 1');
    } catch {
      lines.push('# HELP herold_up 1 when PostgreSQL and Redis answered.', '# TYPE herold_up gauge', 'herold_up 0');
    }
    lines.push(`process_resident_memory_bytes ${process.memoryUsage().rss}`);
    return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  });
}
