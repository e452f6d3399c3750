// The start page is the staff web UI (src/web/ui): / leads to /app/, which asks for a sign-in.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../services/deps';

export function registerHome(app: FastifyInstance, _deps: Deps) {
  app.get('/', async (_req, reply) => reply.redirect('/app/', 302));
}
