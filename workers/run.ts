// Starts the requested parts in this process and stops them gracefully on SIGTERM/SIGINT:
// no new jobs are taken, calls in flight finish, connections close, exit within 30 s.
import { ConfigError, loadConfig, type Config } from '../config/load';
import { closeDeps, createDeps } from '../src/runtime';
import type { Deps } from '../src/services/deps';
import { startApi } from './api';
import { startPublisher } from './publisher';
import { startScheduler } from './scheduler';

export type Part = 'api' | 'worker' | 'scheduler';

const SHUTDOWN_LIMIT_MS = 30_000;

export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

export async function runParts(parts: Part[], config: Config, name = parts.join('+')): Promise<{ deps: Deps; port?: number; stop: () => Promise<void> }> {
  const deps = createDeps(config, `herold-${name}`);
  const closers: (() => Promise<void>)[] = [];
  let port: number | undefined;
  if (parts.includes('worker')) closers.push(startPublisher(deps).close);
  if (parts.includes('scheduler')) closers.push(startScheduler(deps).close);
  if (parts.includes('api')) {
    const api = await startApi(deps);
    port = api.port;
    // The API stops first: no new requests while the rest winds down.
    closers.unshift(api.close);
  }
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      for (const close of closers) await close().catch((err) => deps.log.warn({ err: (err as Error).message }, 'close failed'));
      await closeDeps(deps);
    })();
    return stopping;
  };
  // A permanent handler: a second signal while stopping must not kill the calls in flight.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    deps.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      deps.log.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    void stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  deps.log.info({ parts, port }, 'herold started');
  return { deps, port, stop };
}
