// The staff web UI (issue 5): server-rendered pages under /app/, progressively enhanced by
// /app/assets/app.js. Registered by src/http/app.ts. Every page talks to the REST API in-process.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameSecret } from '../../services/auth';
import type { Deps } from '../../services/deps';
import { Api, ApiFailure, buildCtx, chooseLang, type Body, type Channel, type Ctx, type Me } from './context';
import { esc, page } from './html';
import { translator } from './i18n';
import { registerAuthPages } from './pages/auth';
import { registerReleasePages } from './pages/releases';
import { registerPostPages } from './pages/posts';
import { registerAdminPages } from './pages/admin';
import { registerMePages } from './pages/me';

export type Handler = (ctx: Ctx) => Promise<string | FastifyReply | void>;

export interface Router {
  get(url: string, handler: Handler): void;
  post(url: string, handler: Handler): void;
  app: FastifyInstance;
  deps: Deps;
}

function loadAsset(name: string): string {
  return readFileSync(join(__dirname, 'assets', name), 'utf8');
}

function loadBinaryAsset(name: string): Buffer {
  return readFileSync(join(__dirname, 'assets', name));
}

function parseForm(text: string): Body {
  const out: Body = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

export function safeNext(next: string | undefined): string {
  return next && /^\/app(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : '/app/';
}

function errorPage(ctx: Pick<Ctx, 'lang' | 't'> & Partial<Ctx>, status: number, messageText: string): string {
  const t = ctx.t;
  const body = `<h1>${esc(t('error.page'))} (${status})</h1><p class="error-text" role="alert">${esc(messageText)}</p><p><a href="/app/">${esc(t('error.back'))}</a></p>`;
  if (ctx.render) return ctx.render(t('error.page'), body);
  return page({ lang: ctx.lang, t, title: t('error.page') }, body);
}

export function registerUi(app: FastifyInstance, deps: Deps): void {
  const css = loadAsset('app.css');
  const js = loadAsset('app.js');
  const iconSvg = loadAsset('favicon.svg');
  const iconIco = loadBinaryAsset('favicon.ico');

  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (err) {
        done(err as Error);
      }
    });

    scope.get('/app/assets/app.css', async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css),
    );
    scope.get('/app/assets/app.js', async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(js),
    );
    // The pages name the SVG; browsers and feed readers still ask for /favicon.ico on their own.
    scope.get('/app/assets/favicon.svg', async (_req, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(iconSvg),
    );
    scope.get('/favicon.ico', async (_req, reply) => reply.type('image/x-icon').header('cache-control', 'public, max-age=86400').send(iconIco));

    const handle = (method: 'GET' | 'POST', url: string, handler: Handler) => {
      scope.route({
        method,
        url,
        async handler(req: FastifyRequest, reply: FastifyReply) {
          const lang0 = chooseLang(req);
          const meRes = await new Api(app, req, lang0).call<Me>('GET', '/api/v1/me');
          if (meRes.status === 401) {
            if (method === 'GET') return reply.redirect(`/app/login?next=${encodeURIComponent(req.url)}`, 303);
            return reply.redirect('/app/login', 303);
          }
          if (meRes.error) return sendHtml(reply, meRes.status, errorPage({ lang: lang0, t: translator(lang0) }, meRes.status, meRes.error.message));
          const me = meRes.data;
          const lang = chooseLang(req, me.language);
          const t = translator(lang);
          const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
          if (method === 'POST') {
            const sent = typeof body._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
            // Constant-time, like the API's own check (src/http/auth.ts).
            if (!sameSecret(sent, me.csrfToken)) return sendHtml(reply, 403, errorPage({ lang, t }, 403, t('error.csrf')));
          }
          const api = new Api(app, req, lang, me.csrfToken);
          const channels = await api.get<Channel[]>('/api/v1/channels').catch(() => [] as Channel[]);
          let pausedReason: string | undefined;
          if (me.org.paused) pausedReason = (await api.get<{ pausedReason?: string }>('/api/v1/org').catch(() => ({ pausedReason: undefined }))).pausedReason;
          const ctx = buildCtx({
            app,
            req,
            reply,
            me,
            lang,
            t,
            tz: me.org.timezone || 'Europe/Berlin',
            api,
            body,
            query: (req.query ?? {}) as Record<string, string>,
            channels,
            pausedReason,
          });
          try {
            const result = await handler(ctx);
            if (typeof result === 'string') return sendHtml(reply, reply.statusCode, result); // a handler may have set 400 or 404
            return result ?? reply;
          } catch (err) {
            if (err instanceof ApiFailure) {
              if (err.status === 401) return reply.redirect('/app/login', 303);
              return sendHtml(reply, err.status, errorPage(ctx, err.status, err.error.message));
            }
            throw err;
          }
        },
      });
    };

    const router: Router = {
      app,
      deps,
      get: (url, handler) => handle('GET', url, handler),
      post: (url, handler) => handle('POST', url, handler),
    };
    registerAuthPages(scope, app, deps, router);
    registerReleasePages(router);
    registerPostPages(router);
    registerAdminPages(router);
    registerMePages(router);
  });
}
