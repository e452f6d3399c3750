// The staff web UI (issue 5). Registered by src/http/app.ts.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../services/deps';

export function registerUi(_app: FastifyInstance, _deps: Deps): void {
  // Pages are added here.
}
