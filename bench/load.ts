// An open-loop HTTP load generator (no autocannon: it is not a dependency of Herold) and a
// helper that runs Herold's parts as child processes, as `npm run api` / `npm run worker` do.
//
// Open loop: request i is sent at start + i / rate whether or not earlier ones have answered,
// and its latency is counted from that planned moment, so a server that falls behind shows it
// in the percentiles instead of slowing the generator down (no coordinated omission).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { benchEnv, freePort, ROOT, sleep } from './common';

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  latenciesMs: number[];
  statuses: Record<string, number>;
  bytes: number;
  /** Requests that could not be sent on time because the generator itself lagged (> 5 ms). */
  lateSends: number;
}

export async function openLoop(baseUrl: string, rate: number, count: number, plan: (i: number) => PlannedRequest): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(baseUrl);
  const result: LoadResult = { latenciesMs: [], statuses: {}, bytes: 0, lateSends: 0 };
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const planned = start + (i * 1000) / rate;
    const wait = planned - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -5) result.lateSends += 1;
    const req = plan(i);
    inFlight.push(
      send(agent, url, req).then(
        ({ status, bytes }) => {
          result.latenciesMs.push(performance.now() - planned);
          result.statuses[status] = (result.statuses[status] ?? 0) + 1;
          result.bytes += bytes;
        },
        (err: Error) => {
          result.statuses[err.message] = (result.statuses[err.message] ?? 0) + 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return result;
}

function send(agent: http.Agent, base: URL, req: PlannedRequest): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: { ...(req.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(req.body) } : {}), ...req.headers },
        timeout: 30_000,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export interface HeroldChild {
  process: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** The end of what the child printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts workers/<entry> (e.g. api-main.ts) with the bench environment; waits for /healthz if it serves HTTP. */
export async function startHeroldChild(entry: string, env: Record<string, string> = {}, options: { http?: boolean } = {}): Promise<HeroldChild> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'workers', entry)], {
    cwd: ROOT,
    env: { ...process.env, ...benchEnv({ PORT: String(port), ...env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last few KB of its output (pino logs on stdout, crashes on stderr), for diagnosis.
  let stderr = '';
  const keep = (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  if (options.http) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}): ${stderr}`);
      const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${entry} did not answer /healthz within 60 s`);
      await sleep(200);
    }
  }
  return {
    process: child,
    pid: child.pid!,
    port,
    baseUrl,
    output: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      // Herold's graceful shutdown (workers/run.ts); a stuck child is killed after 35 s.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
