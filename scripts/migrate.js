#!/usr/bin/env node
// Applies prisma/migrations to DATABASE_URL, offline: Prisma's JavaScript schema engine runs
// over the pg driver adapter (see prisma.config.ts). With --create the database is created
// first when it does not exist (developer and CI convenience; production databases are
// provisioned by their operators).
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const pg = require('pg');

const root = path.resolve(__dirname, '..');

async function createIfMissing(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set / DATABASE_URL fehlt');
    process.exit(2);
  }
  if (process.argv.includes('--create')) await createIfMissing(url);
  // The CLI checks for native engines it never uses with engine "js"; point it at a file
  // that exists so it does not try to download them.
  const placeholder = path.join(root, 'package.json');
  // Prisma's chatter goes to stderr; it is shown only when the migration fails.
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? placeholder,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
    },
  });
  if (!process.argv.includes('--quiet')) console.log('Datenbank ist aktuell / database is up to date');
}

main().catch((err) => {
  if (err.stderr) process.stderr.write(err.stderr);
  if (err.stdout) process.stdout.write(err.stdout);
  console.error(err.message ?? err);
  process.exit(1);
});
