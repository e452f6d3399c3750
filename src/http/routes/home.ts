// A plain start page until the staff web UI lands: where to find the API, the blog and the docs.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../services/deps';
import { findOrgBySlug } from '../../store/orgs';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function registerHome(app: FastifyInstance, deps: Deps) {
  app.get('/', async (_req, reply) => {
    const demo = await findOrgBySlug(deps.db, 'stadt-musterstadt').catch(() => null);
    const blogLink = demo ? `<li><a href="/blog/${escape(demo.slug)}/">Blog von ${escape(demo.name)}</a></li>` : '';
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herold – Veröffentlichungsplanung</title></head>
<body><main>
<h1>Herold</h1>
<p>Pressemitteilungen einmal schreiben, im Vier-Augen-Prinzip freigeben und pünktlich auf allen Kanälen veröffentlichen.</p>
<ul>
${blogLink}
<li><a href="/api/docs/openapi.json">REST-API (OpenAPI)</a></li>
<li><a href="/readyz">Betriebszustand</a></li>
</ul>
<p>Die Web-Oberfläche für Redaktion und Freigabe folgt; bis dahin arbeiten Sie über die REST-API oder die Kommandozeile (<code>npm run herold -- --help</code>).</p>
</main></body></html>`);
  });
}
