// The Fastify app: registers the route table, checks access in one place, maps errors.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors';
import { languageFrom } from '../i18n/messages';
import type { Deps } from '../services/deps';
import { authenticate } from './auth';
import { handleError } from './errors';
import { buildOpenApi } from './openapi';
import type { RouteDef } from './route';
import { apiRoutes } from './routes/api';
import { registerBlog } from './routes/blog';
import { registerOps } from './routes/ops';
import { registerHome } from './routes/home';
import { parse } from './validation';
import { registerUi } from '../web/ui';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Strict UTF-8 and JSON: invalid bytes are refused instead of silently replaced. */
function parseJson(_req: unknown, body: Buffer, done: (err: Error | null, value?: unknown) => void) {
  let textBody: string;
  try {
    textBody = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return done(new AppError(400, 'INVALID_ENCODING'));
  }
  if (textBody.trim() === '') return done(null, undefined);
  try {
    done(null, JSON.parse(textBody));
  } catch {
    done(new AppError(400, 'MALFORMED_JSON'));
  }
}

function securityHeaders(app: FastifyInstance, secure: boolean) {
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    if (secure) reply.header('strict-transport-security', 'max-age=31536000');
  });
}

function register(app: FastifyInstance, deps: Deps, def: RouteDef) {
  app.route({
    method: def.method,
    url: def.path,
    async handler(req, reply) {
      const lang = languageFrom(req.headers['accept-language']);
      let actor = null;
      if (def.access !== 'public') {
        const auth = await authenticate(deps, req);
        if (!auth) throw new AppError(401, 'UNAUTHENTICATED');
        actor = auth.actor;
        if (Array.isArray(def.access) && !def.access.some((role) => auth.actor.roles.includes(role))) {
          throw new AppError(403, 'FORBIDDEN');
        }
        (req as unknown as { csrfToken?: string }).csrfToken = auth.csrfToken;
      }
      // Unknown or malformed ids answer 404 like ids of another organisation.
      const params = req.params as Record<string, string>;
      for (const value of Object.values(params)) if (!UUID.test(value)) throw new AppError(404, 'NOT_FOUND');
      const body = def.body ? parse(def.body, req.body ?? {}) : undefined;
      const query = def.query ? parse(def.query, req.query ?? {}) : undefined;
      const result = await def.handler({ deps, actor: actor!, body, query, params, req, reply, lang });
      reply.status(def.status ?? 200);
      return def.status === 204 ? reply.send() : result;
    },
  });
}

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.config.bodyLimitBytes,
    // Only the configured reverse proxies may name the client (X-Forwarded-For) and the scheme;
    // without them every client would share the proxy's address in the login throttle.
    trustProxy: deps.config.trustProxy.length > 0 ? deps.config.trustProxy : false,
    // Fastify answers unknown routes and bad URLs through our error handler.
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer' }, parseJson);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    // Writes without a body are fine; anything else must be JSON.
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE'));
  });
  await app.register(cookie);
  securityHeaders(app, deps.config.secureCookies);
  app.setErrorHandler((err, req, reply) => handleError(err, req, reply, deps.log));
  app.setNotFoundHandler((req, reply) => handleError(new AppError(404, 'ROUTE_NOT_FOUND'), req, reply, deps.log));

  for (const def of apiRoutes) register(app, deps, def);
  const openapi = buildOpenApi(apiRoutes);
  app.get('/api/docs/openapi.json', async () => openapi);
  registerOps(app, deps);
  registerBlog(app, deps);
  registerHome(app, deps);
  registerUi(app, deps);
  return app;
}
