// `npm run herold -- <command>`: bootstrap and maintenance from the shell (API.md "Bootstrap").
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadConfigOrExit } from '../../workers/run';
import { AppError } from '../domain/errors';
import type { Role } from '../domain/types';
import { message } from '../i18n/messages';
import { closeDeps, createDeps } from '../runtime';
import { addOrg, addToken, addUser, parseRoles } from '../services/bootstrap';
import { rotateKeys } from '../services/keys';
import { createRelease } from '../services/releases';
import { listChannels } from '../store/channels';
import { findUserByEmail } from '../store/users';

const HELP = `Herold – Kommandozeile / command line

  org add --slug <slug> --name <name> [--timezone Europe/Berlin]
  user add --org <slug> --email <e> --name <n> --role editor[,approver,admin]   (Passwort über stdin)
  token create --email <e> [--name ci]                                           (zeigt das Token einmal)
  release import <datei.md> --email <autor>                                      (Markdown mit YAML-Front-Matter)
  keys rotate                                                                    (verschlüsselt alle Zugangsdaten mit HEROLD_SECRET_KEY neu)
`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Passwort: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function need(values: Record<string, unknown>, ...keys: string[]): void {
  const missing = keys.filter((k) => typeof values[k] !== 'string' || !(values[k] as string).trim());
  if (missing.length) throw new Error(`missing option(s): ${missing.map((k) => `--${k}`).join(', ')}`);
}

/** Splits "---\nyaml\n---\nbody" into front matter and Markdown. */
export function splitFrontMatter(source: string): { meta: Record<string, unknown>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!match) return { meta: {}, body: source };
  const meta = parseYaml(match[1]!) ?? {};
  if (typeof meta !== 'object' || Array.isArray(meta)) throw new Error('front matter must be a YAML mapping');
  return { meta: meta as Record<string, unknown>, body: match[2]!.trim() };
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      slug: { type: 'string' }, name: { type: 'string' }, timezone: { type: 'string' },
      org: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' },
    },
  });
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (!group || group === '--help' || group === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest);
  } catch (err) {
    process.stderr.write(`Fehler / error: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const deps = createDeps(loadConfigOrExit(), 'herold-cli');
  try {
    switch (`${group} ${command}`) {
      case 'org add': {
        need(values, 'slug', 'name');
        const org = await addOrg(deps.db, { slug: values.slug!, name: values.name!, timezone: values.timezone });
        console.log(`Organisation angelegt / created: ${org.slug} (${org.id})`);
        return 0;
      }
      case 'user add': {
        need(values, 'org', 'email', 'name', 'role');
        const roles: Role[] = parseRoles(values.role!);
        const password = await readStdin();
        const user = await addUser(deps.db, { orgSlug: values.org!, email: values.email!, name: values.name!, roles, password });
        console.log(`Nutzer:in angelegt / user created: ${user.email} [${user.roles.join(', ')}]`);
        return 0;
      }
      case 'token create': {
        need(values, 'email');
        console.log(await addToken(deps.db, { email: values.email!, name: values.name ?? 'cli' }));
        return 0;
      }
      case 'release import': {
        need(values, 'email');
        const file = positionals[0];
        if (!file) throw new Error('missing file: release import <file.md> --email <author>');
        const { meta, body } = splitFrontMatter(readFileSync(file, 'utf8'));
        const user = await findUserByEmail(deps.db, values.email!);
        if (!user) throw new AppError(404, 'NOT_FOUND');
        const channels = await listChannels(deps.db, user.orgId);
        const wanted = Array.isArray(meta.channels) ? meta.channels.map(String) : channels.map((c) => c.type);
        const channelIds = channels.filter((c) => c.enabled && (wanted.includes(c.type) || wanted.includes(c.name))).map((c) => c.id);
        const time = (v: unknown) => (v ? new Date(String(v)) : null);
        const release = await createRelease(deps, {
          userId: user.id, orgId: user.orgId, email: user.email, name: user.name, roles: user.roles as Role[], language: 'de',
        }, {
          title: String(meta.title ?? body.split('\n')[0] ?? '').trim(),
          subtitle: meta.subtitle ? String(meta.subtitle) : null,
          dateline: meta.dateline ? String(meta.dateline) : null,
          body,
          embargoUntil: time(meta.embargoUntil),
          publishAt: time(meta.publishAt),
          crisis: meta.crisis === true,
          channelIds,
        });
        console.log(`Entwurf angelegt / draft created: ${release.id} (${release.posts.length} Beiträge)`);
        return 0;
      }
      case 'keys rotate': {
        const n = await rotateKeys(deps);
        console.log(`${n} Kanal-Zugangsdaten neu verschlüsselt / channel credentials re-encrypted`);
        return 0;
      }
      default:
        process.stderr.write(`Unbekannter Befehl / unknown command: ${group} ${command ?? ''}\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    const text = err instanceof AppError ? `${err.code}: ${message(err.code, 'de', err.params)}` : (err as Error).message;
    process.stderr.write(`Fehler / error: ${text}\n`);
    return 1;
  } finally {
    await closeDeps(deps);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
