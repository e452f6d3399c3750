// Runs once before the jest workers start: gives the suite a migrated test database.
import { execFileSync } from 'node:child_process';
import { testDatabaseUrl } from './env';

export default function globalSetup(): void {
  process.env.DATABASE_URL = testDatabaseUrl();
  execFileSync('node', ['scripts/migrate.js', '--create', '--quiet'], { stdio: 'inherit', env: process.env });
}
