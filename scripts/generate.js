#!/usr/bin/env node
// Generates the Prisma client into src/store/generated (run on `npm install`). The CLI looks
// for native engines it never uses with engine "js": point it at a file that exists so it
// does not try to download them.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const placeholder = path.join(root, 'package.json');
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/herold',
    ...process.env,
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? placeholder,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
  },
});
