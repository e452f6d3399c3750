// Shared tools of the attack suite (npm run test:security): principals for every role
// combination, cookie sessions, a superuser connection, a database dump, a log capture and a
// small HTML/XML inspector for the public blog.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { Client } from 'pg';
import pino from 'pino';
import type { Role } from '../../src/domain/types';
import { REDACT_PATHS } from '../../src/runtime';
import { addToken, addUser } from '../../src/services/bootstrap';
import { testDatabaseUrl } from '../helpers/env';
import { call, type Harness } from '../helpers/harness';

export * from '../helpers/harness';

export const PASSWORD = 'correct horse battery';
export const SESSION_COOKIE = 'herold_session';

/** Every non-empty combination of the three roles, in a fixed order. */
export const ROLE_COMBOS: Role[][] = [
  ['editor'],
  ['approver'],
  ['admin'],
  ['editor', 'approver'],
  ['editor', 'admin'],
  ['approver', 'admin'],
  ['editor', 'approver', 'admin'],
];

export const comboName = (roles: Role[] | null) => (roles ? roles.join('+') : 'none (anonymous)');

export interface Principal {
  id: string;
  email: string;
  token: string;
  roles: Role[];
}

export async function principal(h: Harness, orgSlug: string, roles: Role[], label = roles.join('-')): Promise<Principal> {
  const email = `${label}-${randomUUID().slice(0, 8)}@${orgSlug}.test`;
  const user = await addUser(h.deps.db, { orgSlug, email, name: label, roles, password: PASSWORD });
  return { id: user.id, email, token: await addToken(h.deps.db, { email, name: 'security' }), roles };
}

let addressSeq = 0;
/** A client address of its own per login, so the per-address throttle of one test spares the next. */
export const freshAddress = () => {
  addressSeq += 1;
  return `10.77.${Math.floor(addressSeq / 250)}.${(addressSeq % 250) + 1}`;
};

export function login(h: Harness, email: string, password: string, remoteAddress = freshAddress()) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email, password }),
  });
}

export interface Session {
  sessionId: string;
  csrfToken: string;
}

export async function signIn(h: Harness, email: string, password = PASSWORD): Promise<Session> {
  const res = await login(h, email, password);
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  return { sessionId: cookie.value, csrfToken: res.json().csrfToken as string };
}

export const cookieHeaders = (session: Session, csrf?: string): Record<string, string> => ({
  cookie: `${SESSION_COOKIE}=${session.sessionId}`,
  ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
});

/** Creates a release through the API (as `token`), optionally submitted for review. */
export async function createRelease(
  h: Harness,
  token: string,
  channelIds: string[],
  extra: Record<string, unknown> = {},
  opts: { submit?: boolean } = {},
) {
  const res = await call(h, 'POST', '/api/v1/releases', {
    token,
    body: {
      title: `Mitteilung ${randomUUID().slice(0, 8)}`,
      body: `Die Stadtverwaltung informiert über neue Öffnungszeiten des Bürgerbüros. Kennung ${randomUUID()}.`,
      channelIds,
      ...extra,
    },
  });
  if (res.statusCode !== 201) throw new Error(`release: ${res.statusCode} ${res.body}`);
  let release = res.json();
  if (opts.submit) {
    const submitted = await call(h, 'POST', `/api/v1/releases/${release.id}/submit`, { token });
    if (submitted.statusCode !== 200) throw new Error(`submit: ${submitted.statusCode} ${submitted.body}`);
    release = submitted.json();
  }
  return release as { id: string; revision: number; slug: string; status: string; title: string; posts: { id: string; channelType: string; channelId: string }[] };
}

/** Audit events of one entity, oldest first, straight from the table. */
export function auditOf(h: Harness, orgId: string, entityId: string) {
  return h.deps.db.auditEvent.findMany({ where: { orgId, entityId }, orderBy: { seq: 'asc' } });
}

// --- PostgreSQL as an attacker or an auditor sees it -----------------------------------------

export const AUDIT_TRIGGER = 'audit_event_no_update_delete';

/**
 * Runs SQL as the database superuser with the audit trigger switched off, in one transaction
 * (no other session ever sees the trigger off); re-enables it even if the transaction failed.
 */
export async function asSuperuser(statements: { sql: string; params?: unknown[] }[]): Promise<number[]> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query(`ALTER TABLE audit_event DISABLE TRIGGER ${AUDIT_TRIGGER}`);
      const counts: number[] = [];
      for (const s of statements) counts.push((await client.query(s.sql, s.params ?? [])).rowCount ?? 0);
      await client.query(`ALTER TABLE audit_event ENABLE TRIGGER ${AUDIT_TRIGGER}`);
      await client.query('COMMIT');
      return counts;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  } finally {
    await client.query(`ALTER TABLE audit_event ENABLE TRIGGER ${AUDIT_TRIGGER}`).catch(() => undefined);
    await client.end();
  }
}

/** Every row of every table of the schema as JSON text: what a stolen database dump contains. */
export async function dumpDatabase(): Promise<{ table: string; row: string }[]> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const rows: { table: string; row: string }[] = [];
    for (const { table_name: table } of tables.rows) {
      const result = await client.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${table}" t`);
      for (const r of result.rows) rows.push({ table, row: r.j });
    }
    return rows;
  } finally {
    await client.end();
  }
}

/** The forms in which a secret could appear in text: raw, URL-encoded, base64, hex. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]);
  return [...forms].filter((f) => f.length >= 8);
}

/** Which of the secrets occur (in any form) in the text; [] when none. */
export function leakedIn(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => secretForms(s).some((form) => text.includes(form)));
}

// --- Logs -----------------------------------------------------------------------------------

/**
 * Points deps.log at a pino logger with the production redaction (REDACT_PATHS, the same
 * options as createLogger) writing into memory, at level debug. Returns the captured lines.
 */
export function captureLogs(h: Harness): string[] {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  h.deps.log = pino({ name: 'security', level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  return lines;
}

// --- Recording every API answer -------------------------------------------------------------

export interface Recorded {
  method: string;
  url: string;
  status: number;
  headers: string;
  body: string;
}

/** A `call` that keeps a copy of every answer (status, headers, body). */
export function recordingCall(h: Harness, into: Recorded[]) {
  return async (method: string, url: string, opts: Parameters<typeof call>[3] = {}): Promise<LightMyRequestResponse> => {
    const res = await call(h, method, url, opts);
    into.push({ method, url, status: res.statusCode, headers: JSON.stringify(res.headers), body: res.body });
    return res;
  };
}

// --- HTML and XML inspection ----------------------------------------------------------------

export function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return named[e] ?? whole;
  });
}

export interface Tag {
  name: string;
  attrs: { name: string; value: string }[];
}

/**
 * The start tags of a document. Escaped text contains no raw "<", so every "<letter" starts a
 * real element; attribute values may be quoted with " or ' or unquoted.
 */
export function startTags(doc: string): Tag[] {
  const tags: Tag[] = [];
  for (const m of doc.matchAll(/<([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const attrs: { name: string; value: string }[] = [];
    for (const a of (m[2] ?? '').matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attrs.push({ name: a[1]!.toLowerCase(), value: decodeEntities(a[2] ?? a[3] ?? a[4] ?? '') });
    }
    tags.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return tags;
}

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'data']);
const DANGEROUS_TAGS = new Set(['script', 'iframe', 'object', 'embed', 'frame', 'frameset', 'applet', 'base', 'form', 'svg', 'math', 'style', 'template', 'noscript', 'xmp']);

/**
 * Everything in an HTML document that could run script: [] when it is clean. The staff UI may
 * have forms and its own script file (`allowTags`, `allowScriptSrc`); user content may not.
 */
export function scriptVectors(doc: string, opts: { allowTags?: string[]; allowScriptSrc?: RegExp } = {}): string[] {
  const found: string[] = [];
  for (const tag of startTags(doc)) {
    const src = tag.attrs.find((a) => a.name === 'src')?.value;
    const ownScript = tag.name === 'script' && opts.allowScriptSrc !== undefined && src !== undefined && opts.allowScriptSrc.test(src);
    if (DANGEROUS_TAGS.has(tag.name) && !opts.allowTags?.includes(tag.name) && !ownScript) found.push(`<${tag.name}>`);
    if (tag.name === 'meta' && tag.attrs.some((a) => a.name === 'http-equiv' && /refresh/i.test(a.value))) found.push('<meta http-equiv=refresh>');
    for (const attr of tag.attrs) {
      if (/^on/.test(attr.name)) found.push(`<${tag.name} ${attr.name}=…>`);
      if (attr.name === 'style') found.push(`<${tag.name} style=…>`);
      // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
      // eslint-disable-next-line no-control-regex
      const squeezed = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (URL_ATTRS.has(attr.name) && /^(javascript|vbscript|data):/.test(squeezed)) {
        found.push(`<${tag.name} ${attr.name}="${attr.value}">`);
      }
    }
  }
  return found;
}

/** The HTML inside the Atom feed's <content type="html"> elements, decoded once. */
export function feedHtmlContents(feed: string): string[] {
  return [...feed.matchAll(/<content type="html">([\s\S]*?)<\/content>/g)].map((m) => decodeEntities(m[1]!));
}

/** Parsed Content-Security-Policy: directive → sources. */
export function parseCsp(header: string | string[] | number | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of String(header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}
