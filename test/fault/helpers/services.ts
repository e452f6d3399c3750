// The fault suite's own PostgreSQL cluster and Redis server: private processes on free loopback
// ports in a temporary directory. The machine's services on 5432 / 6379 are shared with other
// people's test runs, so a scenario may FLUSHALL, shut down and restart only these.
//
// globalSetup starts both once per run (initdb ≈ 1 s) and publishes where they are through the
// environment (HEROLD_FAULT_*), which the test files and every Herold child process inherit;
// globalTeardown stops them and removes the directory.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FaultServices {
  dir: string;
  pgBin: string;
  pgPort: number;
  redisPort: number;
}

const ENV = {
  dir: 'HEROLD_FAULT_DIR',
  pgBin: 'HEROLD_FAULT_PG_BIN',
  pgPort: 'HEROLD_FAULT_PG_PORT',
  redisPort: 'HEROLD_FAULT_REDIS_PORT',
} as const;

/** Where the running services are (set by globalSetup). */
export function faultServices(): FaultServices {
  const dir = process.env[ENV.dir];
  const pgBin = process.env[ENV.pgBin];
  const pgPort = Number(process.env[ENV.pgPort]);
  const redisPort = Number(process.env[ENV.redisPort]);
  if (!dir || !pgBin || !pgPort || !redisPort) {
    throw new Error('the fault suite runs with its own PostgreSQL and Redis: start it with `npm run test:fault` (jest -c jest.fault.config.js)');
  }
  return { dir, pgBin, pgPort, redisPort };
}

/** Migrated once per run; each scenario file's database is a copy of it. */
export const TEMPLATE_DB = 'herold_fault_template';

export const faultDatabaseUrl = (s: FaultServices, db = 'herold_fault') => `postgresql://postgres@127.0.0.1:${s.pgPort}/${db}`;
export const faultRedisUrl = (s: FaultServices) => `redis://127.0.0.1:${s.redisPort}/0`;

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pgBinDir(): string {
  const candidates = [process.env.HEROLD_FAULT_PG_BIN];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    /* no pg_config: try the Debian layout below */
  }
  candidates.push('/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/17/bin');
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error('the fault suite needs the PostgreSQL server binaries (initdb, pg_ctl); set HEROLD_FAULT_PG_BIN');
  return found;
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
function pgTool(s: Pick<FaultServices, 'pgBin'>, tool: string, args: string[], opts: ExecFileSyncOptions = {}) {
  const bin = join(s.pgBin, tool);
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...opts });
}

const pgData = (s: FaultServices) => join(s.dir, 'pg');

// Durability is not under test (a restart is a clean shutdown): fsync off keeps the suite fast.
const pgOptions = (s: FaultServices) =>
  [
    `-p ${s.pgPort}`,
    `-k ${s.dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');

export function startPostgres(s: FaultServices): void {
  pgTool(s, 'pg_ctl', ['-D', pgData(s), '-o', pgOptions(s), '-l', join(s.dir, 'pg.log'), '-w', '-t', '60', 'start']);
}

/** `fast`: active sessions are disconnected at once, as in a restart by an operator. */
export function stopPostgres(s: FaultServices, mode: 'fast' | 'immediate' = 'fast'): void {
  pgTool(s, 'pg_ctl', ['-D', pgData(s), '-m', mode, '-w', '-t', '60', 'stop']);
}

export function postgresRunning(s: FaultServices): boolean {
  try {
    pgTool(s, 'pg_ctl', ['-D', pgData(s), 'status']);
    return true;
  } catch {
    return false;
  }
}

const redisPidFile = (s: FaultServices) => join(s.dir, 'redis.pid');

/** Like the machine's Redis: nothing kept on disk, so a restart comes back empty. */
export async function startRedis(s: FaultServices): Promise<void> {
  execFileSync(
    'redis-server',
    [
      '--port', String(s.redisPort),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', s.dir,
      '--daemonize', 'yes',
      '--pidfile', redisPidFile(s),
      '--logfile', join(s.dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  await waitFor(`Redis on port ${s.redisPort}`, () => redisPing(s));
}

function redisPing(s: FaultServices): boolean {
  try {
    return execFileSync('redis-cli', ['-p', String(s.redisPort), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG';
  } catch {
    return false;
  }
}

/** SHUTDOWN NOSAVE, then wait until the port is closed. */
export async function stopRedis(s: FaultServices): Promise<void> {
  try {
    execFileSync('redis-cli', ['-p', String(s.redisPort), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    /* the connection closes as the server goes: redis-cli may report that */
  }
  await waitFor(`Redis on port ${s.redisPort} to stop`, async () => !(await portOpen(s.redisPort)));
}

export function redisFlushAll(s: FaultServices): void {
  execFileSync('redis-cli', ['-p', String(s.redisPort), 'flushall'], { stdio: 'ignore' });
}

/** globalSetup: a fresh cluster and Redis in a new temporary directory. */
export async function startServices(): Promise<FaultServices> {
  const dir = mkdtempSync(join(tmpdir(), 'herold-fault-'));
  const s: FaultServices = { dir, pgBin: pgBinDir(), pgPort: await freePort(), redisPort: await freePort() };
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  pgTool(s, 'initdb', ['-D', pgData(s), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  startPostgres(s);
  await startRedis(s);
  process.env[ENV.dir] = s.dir;
  process.env[ENV.pgBin] = s.pgBin;
  process.env[ENV.pgPort] = String(s.pgPort);
  process.env[ENV.redisPort] = String(s.redisPort);
  return s;
}

/** globalTeardown: stop both (whatever state a scenario left them in) and remove the directory. */
export async function stopServices(s: FaultServices): Promise<void> {
  try {
    if (postgresRunning(s)) stopPostgres(s, 'immediate');
  } catch (err) {
    process.stderr.write(`fault suite: stopping PostgreSQL failed: ${(err as Error).message}\n`);
  }
  await stopRedis(s).catch(() => {
    // Last resort: the pid it wrote itself (never a search by name: other people's Redis runs here).
    const pid = Number(readFileSync(redisPidFile(s), 'utf8'));
    if (pid > 0) process.kill(pid, 'SIGKILL');
  });
  rmSync(s.dir, { recursive: true, force: true });
}
