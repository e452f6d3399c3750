// Operational endpoints: liveness, readiness (PostgreSQL and Redis reachable), metrics.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../services/deps';

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

  app.get('/metrics', async (_req, reply) => {
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
