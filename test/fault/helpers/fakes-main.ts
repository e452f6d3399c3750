// The loopback fakes of the fault suite, in a process of their own, so that a busy test process
// (seeding hundreds of releases) does not slow the "networks" down or skew their timestamps.
//
//   node --import tsx test/fault/helpers/fakes-main.ts
//
// prints one JSON line {graph, x, mastodon, bluesky, wordpress, control} with the URLs, then
// serves:
// - graph / x / mastodon / bluesky / wordpress: a recording proxy in front of each fake of
//   src/simulated (used only through their exported start functions). Every request is logged
//   (unbounded, with millisecond arrival time). Publish calls (POST …/feed, POST /2/tweets,
//   POST /api/v1/statuses, POST /xrpc/com.atproto.repo.createRecord, POST /wp-json/wp/v2/posts)
//   can be delayed and can meet a random fault (the fake answers it in its own error shape
//   through failNext), at a configurable rate. A delayed call goes on to the fake even if the
//   caller died meanwhile: the network got the request, only the answer is lost. A publish
//   call's log entry carries the release marker `[tag-i]` found in its body, so that the order
//   of calls per release (article before social posts) can be read from the log.
// - control: a small JSON API for the tests (config, reset, pages, users, tokens, state).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBlueskyFake } from '../../../src/simulated/bluesky-fake';
import { startGraphFake } from '../../../src/simulated/graph-fake';
import { readBody, type StatusFault } from '../../../src/simulated/http-util';
import { startMastodonFake } from '../../../src/simulated/mastodon-fake';
import { startWordPressFake } from '../../../src/simulated/wordpress-fake';
import { startXFake } from '../../../src/simulated/x-fake';

export type Net = 'graph' | 'x' | 'mastodon' | 'bluesky' | 'wordpress';

/** The call that creates a post on each network. */
const PUBLISH: Record<Net, (method: string, path: string) => boolean> = {
  graph: (method, path) => method === 'POST' && /\/feed$/.test(path),
  x: (method, path) => method === 'POST' && path === '/2/tweets',
  mastodon: (method, path) => method === 'POST' && path === '/api/v1/statuses',
  bluesky: (method, path) => method === 'POST' && path === '/xrpc/com.atproto.repo.createRecord',
  // The adapter's only creating call (src/channels/wordpress.ts); its look-ups are GETs of the
  // same path, image uploads go to /wp/v2/media.
  wordpress: (method, path) => method === 'POST' && path === '/wp-json/wp/v2/posts',
};

const MARKER = /\[([A-Za-z0-9]+-\d+)\]/;

/** The release marker in a publish call's body: JSON as it is, or form-encoded (Graph). */
function markerOf(body: string): string | undefined {
  let text = body;
  try {
    text = decodeURIComponent(body.replace(/\+/g, ' '));
  } catch {
    /* not form-encoded: JSON keeps brackets as they are */
  }
  return MARKER.exec(text)?.[1];
}

export interface FakesConfig {
  /** Probability (0..1) that a publish call meets one of `faults`. */
  rate: number;
  graphFaults: StatusFault[];
  xFaults: StatusFault[];
  mastodonFaults: StatusFault[];
  blueskyFaults: StatusFault[];
  wordpressFaults: StatusFault[];
  /** Delay of every publish call before it reaches the fake (calls "in flight"). */
  delayMs: number;
}

export interface LogEntry {
  net: Net;
  method: string;
  path: string;
  publish: boolean;
  at: number;
  endAt?: number;
  status?: number;
  injected?: number;
  /** Publish calls: the release marker of the post (`tag-i`), if its body carries one. */
  marker?: string;
}

const DEFAULT_CONFIG: FakesConfig = { rate: 0, graphFaults: [], xFaults: [], mastodonFaults: [], blueskyFaults: [], wordpressFaults: [], delayMs: 0 };

async function main() {
  const graph = await startGraphFake({ duplicateWindowMs: 0, callsPerHour: 1_000_000_000 });
  const big = 1_000_000_000;
  const x = await startXFake({ duplicateWindowMs: 0, rateLimits: { tweets: big, me: big, timeline: big, lookup: big } });
  const mastodon = await startMastodonFake({ rateLimits: { api: big, media: big } });
  const bluesky = await startBlueskyFake({ rateLimits: { global: big, createSession: big, writePoints: big } });
  // Users are added per organisation through the control API (role author, as recommended).
  const wordpress = await startWordPressFake();
  const fakes = { graph, x, mastodon, bluesky, wordpress };
  let config: FakesConfig = { ...DEFAULT_CONFIG };
  let log: LogEntry[] = [];

  function proxy(net: Net, target: string) {
    const targetUrl = new URL(target);
    return http.createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake.invalid');
        const method = (req.method ?? 'GET').toUpperCase();
        const publish = PUBLISH[net](method, url.pathname);
        const entry: LogEntry = { net, method, path: url.pathname, publish, at: Date.now() };
        log.push(entry);
        const body = await readBody(req).catch(() => '');
        if (publish) {
          entry.marker = markerOf(body);
          if (config.delayMs > 0) await new Promise((r) => setTimeout(r, config.delayMs));
          const faults = config[`${net}Faults`];
          if (faults.length > 0 && Math.random() < config.rate) {
            const fault = faults[Math.floor(Math.random() * faults.length)]!;
            entry.injected = fault.status;
            fakes[net].failNext(fault, 1, { method, path: url.pathname });
          }
        }
        const upstream = http.request(
          { host: targetUrl.hostname, port: targetUrl.port, method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
          (up) => {
            entry.status = up.statusCode;
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            up.on('end', () => {
              entry.endAt = Date.now();
            });
          },
        );
        upstream.on('error', () => {
          entry.status = 502;
          entry.endAt = Date.now();
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        upstream.end(body);
      })();
    });
  }

  const listen = (server: http.Server) =>
    new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

  const control = http.createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req).catch(() => '');
      const input = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      const reply = (status: number, body: unknown) => {
        const payload = JSON.stringify(body ?? {});
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      };
      try {
        switch (`${req.method} ${req.url}`) {
          case 'POST /config':
            config = { ...DEFAULT_CONFIG, ...(input as Partial<FakesConfig>) };
            return reply(200, config);
          case 'POST /reset':
            for (const fake of Object.values(fakes)) fake.reset();
            log = [];
            config = { ...DEFAULT_CONFIG };
            return reply(200, {});
          case 'POST /graph/page':
            graph.addPage(input as never);
            return reply(200, {});
          case 'POST /graph/expire':
            graph.expireToken(String(input.token));
            return reply(200, {});
          case 'POST /x/user':
            x.addUser(input as never);
            return reply(200, {});
          case 'POST /x/revoke':
            x.revokeToken(String(input.token));
            return reply(200, {});
          case 'POST /mastodon/account':
            mastodon.addAccount(input as never);
            return reply(200, {});
          case 'POST /bluesky/account':
            bluesky.addAccount(input as never);
            return reply(200, {});
          case 'POST /wordpress/user':
            wordpress.addUser(input as never);
            return reply(200, {});
          case 'GET /state':
            return reply(200, {
              graphPosts: graph.posts.map((p) => ({ pageId: p.pageId, message: p.message ?? '', link: p.link })),
              tweets: x.tweets.map((t) => ({ authorId: t.authorId, text: t.text, id: t.id, inReplyToTweetId: t.inReplyToTweetId })),
              statuses: mastodon.statuses.map((m) => ({ accountId: m.accountId, text: `${m.spoilerText}\n${m.text}`, id: m.id, inReplyToId: m.inReplyToId })),
              records: bluesky.records.map((r) => ({ did: r.did, text: String(r.value.text ?? ''), uri: r.uri, reply: r.value.reply !== undefined })),
              // Every post, whatever its status: a draft or scheduled copy is a copy too.
              wpPosts: wordpress.posts.map((p) => ({ author: p.author, text: `${p.title}\n${p.content}`, id: p.id, link: p.link, status: p.status })),
              log,
            });
          default:
            return reply(404, { error: 'unknown' });
        }
      } catch (err) {
        return reply(500, { error: (err as Error).message });
      }
    })();
  });

  const urls = {
    graph: await listen(proxy('graph', graph.url)),
    x: await listen(proxy('x', x.url)),
    mastodon: await listen(proxy('mastodon', mastodon.url)),
    bluesky: await listen(proxy('bluesky', bluesky.url)),
    wordpress: await listen(proxy('wordpress', wordpress.url)),
    control: await listen(control),
  };
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The test process owns us: when it goes, we go.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

void main();
