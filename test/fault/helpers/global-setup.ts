// Runs once before the fault scenarios: the suite's own PostgreSQL and Redis (services.ts), and a
// migrated template database from which every scenario file copies a fresh one in ~0.1 s.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { faultDatabaseUrl, startServices, TEMPLATE_DB } from './services';

export default async function globalSetup(): Promise<void> {
  const s = await startServices();
  execFileSync(process.execPath, [join(__dirname, '../../../scripts/migrate.js'), '--create', '--quiet'], {
    env: { ...process.env, DATABASE_URL: faultDatabaseUrl(s, TEMPLATE_DB) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.stdout.write(`\nfault suite: own PostgreSQL on 127.0.0.1:${s.pgPort}, own Redis on 127.0.0.1:${s.redisPort} (${s.dir})\n`);
}
