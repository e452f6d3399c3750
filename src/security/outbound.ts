// Which hosts Herold may talk to on an admin's say-so. A channel's apiBaseUrl, WordPress siteUrl,
// Mastodon instanceUrl and Bluesky service are typed in by an admin, and the channel's token
// travels with every request to them: without this policy an admin (or a stolen admin session)
// could make Herold call the cloud metadata service, the database host or an intranet service,
// carrying that token. Private, loopback, link-local and other non-public addresses are refused
// unless IT allows them (HEROLD_ALLOW_PRIVATE_HOSTS: `1` for all, or a list of addresses and
// CIDR ranges for an on-premises installation; the tests allow loopback for their fakes).
//
// The policy is applied twice, by one implementation:
// - By name, when the channel is saved and again right before each check, publication and
//   look-up (refusedChannelHost, assertChannelHostAllowed): a clear error before any work, and
//   the only check an IP literal needs.
// - At connect time, on the address actually connected to: every HTTP client the adapters use
//   gets a guarded `lookup` (guardedAgent for node:http(s), twitter-api-v2 and axios;
//   guardedDispatcher for fetch). A name looked up a second time by the client may answer
//   differently than it did for the check a moment before (DNS rebinding: public first, then
//   169.254.169.254 or 127.0.0.1); the guard judges the answer the socket will use, and refuses
//   before a single byte is sent. It also judges IP literals, which Node connects to without a
//   look-up, so a redirect to one cannot slip past either.
// The allowance for a connection comes from withOutboundPolicy(), which the services wrap around
// every adapter call with the configured allowance; outside of one, no private address passes.
// A refused connection fails with HOST_REFUSED_CODE, and the adapters report it as the permanent
// CHANNEL_HOST_PRIVATE (hostRefusal): nothing was sent, retrying cannot help.
import { AsyncLocalStorage } from 'node:async_hooks';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { Agent as UndiciAgent, buildConnector } from 'undici';
import { ChannelError } from '../channels/channel';

/** Exceptions IT configured: every non-public address, or the listed ranges only. */
export interface PrivateHostAllowance {
  all: boolean;
  /** Addresses and CIDR ranges, e.g. `127.0.0.1`, `10.20.0.0/16`, `fd00::/8`. */
  ranges: string[];
}

export const NO_PRIVATE_HOSTS: PrivateHostAllowance = { all: false, ranges: [] };
export const ALL_PRIVATE_HOSTS: PrivateHostAllowance = { all: true, ranges: [] };

/** The settings that name a host a channel sends its credentials to. */
export const HOST_SETTINGS = ['apiBaseUrl', 'siteUrl', 'instanceUrl', 'service'] as const;

export type Resolve = (hostname: string) => Promise<string[]>;

const RESOLVE_TIMEOUT_MS = 5_000;

/** The system resolver (getaddrinfo, /etc/hosts included): what the HTTP clients will use. */
export const systemResolve: Resolve = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`DNS timeout for ${hostname}`), { code: 'ETIMEOUT' })), RESOLVE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return (await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout])).map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
};

/** IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as the IPv4 address they carry. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed;
}

/**
 * True only for globally routable unicast addresses. Everything ipaddr.js names a special range
 * is refused: loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16 with the
 * cloud metadata address, fe80::/10), unique-local fc00::/7, carrier-grade NAT, unspecified,
 * multicast, reserved, and the IPv6 translation prefixes (6to4, NAT64, Teredo) that could wrap one.
 */
export function isPublicAddress(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && parsed.range() === 'unicast';
}

/** Checks an allowance list at start-up; returns the entries that are neither address nor CIDR. */
export function invalidRanges(ranges: string[]): string[] {
  return ranges.filter((r) => !(r.includes('/') ? ipaddr.isValidCIDR(r) : ipaddr.isValid(r)));
}

function allowedAddress(address: string, allow: PrivateHostAllowance): boolean {
  if (isPublicAddress(address)) return true;
  if (allow.all) return true;
  const parsed = parseAddress(address);
  if (!parsed) return false;
  return allow.ranges.some((range) => {
    const [net, bits] = range.includes('/') ? ipaddr.parseCIDR(range) : [ipaddr.parse(range), ipaddr.parse(range).kind() === 'ipv4' ? 32 : 128];
    const network = net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() ? (net as ipaddr.IPv6).toIPv4Address() : net;
    return network.kind() === parsed.kind() && parsed.match(network, bits);
  });
}

export interface OutboundRefusal {
  /** The setting that names the host, e.g. `apiBaseUrl`. */
  setting: string;
  host: string;
  /** The address that is not allowed (the host itself for an IP literal). */
  address: string;
}

/**
 * Null when Herold may send requests to `url`, else what is refused. A name that does not resolve
 * is not refused here: nothing can be reached through it now, and it is checked again before use.
 */
export async function refusedUrl(setting: string, url: string, allow: PrivateHostAllowance, resolve: Resolve = systemResolve): Promise<OutboundRefusal | null> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    // Not a URL at all: the settings schema refuses it with its own message.
    return null;
  }
  if (ipaddr.isValid(host)) return allowedAddress(host, allow) ? null : { setting, host, address: host };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return null;
  }
  const bad = addresses.find((a) => !allowedAddress(a, allow));
  return bad === undefined ? null : { setting, host, address: bad };
}

/** The first host setting of a channel that points where Herold may not send its credentials. */
export async function refusedChannelHost(
  settings: Record<string, unknown>,
  allow: PrivateHostAllowance,
  resolve: Resolve = systemResolve,
): Promise<OutboundRefusal | null> {
  for (const key of HOST_SETTINGS) {
    const value = settings[key];
    if (typeof value !== 'string') continue;
    const refused = await refusedUrl(key, value, allow, resolve);
    if (refused) return refused;
  }
  return null;
}

/**
 * The last look before a channel's credentials leave Herold (check and publish): throws a
 * permanent ChannelError, so the post fails visibly instead of being retried against the host.
 */
export async function assertChannelHostAllowed(settings: Record<string, unknown>, allow: PrivateHostAllowance, resolve: Resolve = systemResolve): Promise<void> {
  const refused = await refusedChannelHost(settings, allow, resolve);
  if (refused) {
    throw new ChannelError('permanent', 'CHANNEL_HOST_PRIVATE', `${refused.setting}: ${refused.host} resolves to the non-public address ${refused.address}`);
  }
}

/** The hosts a channel's settings name, normalised, to notice when an admin moves a channel elsewhere. */
export function channelHosts(settings: Record<string, unknown>): string[] {
  return HOST_SETTINGS.map((key) => {
    const value = settings[key];
    if (typeof value !== 'string') return `${key}=`;
    try {
      const url = new URL(value);
      return `${key}=${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return `${key}=${value}`;
    }
  });
}

// --- at connect time ----------------------------------------------------------------------

/** What a connection is judged by: the allowance, and the resolver (tests inject one). */
export interface OutboundPolicy {
  allow: PrivateHostAllowance;
  /** Defaults to systemResolve. */
  resolve?: Resolve;
}

/** The socket error code of a connection the guard refused; never a code Node itself uses. */
export const HOST_REFUSED_CODE = 'ERR_HEROLD_HOST_PRIVATE';

const policyScope = new AsyncLocalStorage<OutboundPolicy>();
let policyOutsideScope: OutboundPolicy = { allow: NO_PRIVATE_HOSTS };

/**
 * Runs `fn` (an adapter call) with the allowance its connections are judged by. The adapters read
 * it synchronously when they build a request, so it is the caller's allowance, not whatever
 * another call that shares a pooled connection had.
 */
export function withOutboundPolicy<T>(policy: OutboundPolicy, fn: () => Promise<T>): Promise<T> {
  return policyScope.run(policy, fn);
}

/** The policy of the current adapter call; outside withOutboundPolicy, no private address passes. */
export function outboundPolicy(): OutboundPolicy {
  return policyScope.getStore() ?? policyOutsideScope;
}

/**
 * Replaces the policy outside withOutboundPolicy, and returns the one before. Only for tests that
 * call adapters directly against their loopback fakes; Herold itself always runs adapter calls
 * inside withOutboundPolicy.
 */
export function setOutboundPolicyOutsideScope(policy: OutboundPolicy): OutboundPolicy {
  const before = policyOutsideScope;
  policyOutsideScope = policy;
  return before;
}

function refusal(host: string, address: string): NodeJS.ErrnoException {
  const what = host === address ? `${host} is not a public address` : `${host} resolves to the non-public address ${address}`;
  return Object.assign(new Error(what), { code: HOST_REFUSED_CODE, hostname: host });
}

/**
 * A `lookup` for net/tls/http(s)/undici: resolves, and fails unless every address passes, like
 * refusedUrl. Node connects to the address this hands it, so the address judged is the address
 * connected to.
 */
export function guardedLookup(policy: OutboundPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const bad = addresses.find((a) => !allowedAddress(a, policy.allow));
        if (bad !== undefined) return callback(refusal(hostname, bad), '', 0);
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
        const usable = addresses.map((address) => ({ address, family: net.isIP(address) })).filter((a) => a.family !== 0 && (!family || a.family === family));
        if (usable.length === 0) {
          return callback(Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** Node connects to an IP literal without a look-up; the literal itself is judged then. */
function refusedLiteral(host: string | null | undefined, allow: PrivateHostAllowance): NodeJS.ErrnoException | null {
  const bare = (host ?? '').replace(/^\[|\]$/g, '');
  return net.isIP(bare) !== 0 && !allowedAddress(bare, allow) ? refusal(bare, bare) : null;
}

type CreateConnection = http.Agent['createConnection'];

/** An agent's createConnection that judges the literal or hands the guarded lookup to net/tls. */
function guardedCreateConnection(policy: OutboundPolicy, create: CreateConnection): CreateConnection {
  return function (this: http.Agent, options, callback) {
    const refused = refusedLiteral(options.host ?? options.hostname, policy.allow);
    if (refused) {
      // The agent hands the error to the request, which emits it: nothing was connected.
      process.nextTick(() => callback?.(refused, undefined as unknown as Duplex));
      return undefined;
    }
    return create.call(this, { ...options, lookup: guardedLookup(policy) }, callback);
  };
}

class GuardedHttpAgent extends http.Agent {
  constructor(policy: OutboundPolicy, options: http.AgentOptions) {
    super(options);
    this.createConnection = guardedCreateConnection(policy, http.Agent.prototype.createConnection);
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(policy: OutboundPolicy, options: https.AgentOptions) {
    super(options);
    this.createConnection = guardedCreateConnection(policy, https.Agent.prototype.createConnection as CreateConnection);
  }
}

/** Node's global agents' settings, for clients that used them before. */
const KEEP_ALIVE = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 } as const;

/** Pooled guards, one per resolver and allowance, so keep-alive connections are reused within a policy only. */
const pooled = new WeakMap<Resolve, Map<string, http.Agent | UndiciAgent>>();

function pooledFor<T extends http.Agent | UndiciAgent>(policy: OutboundPolicy, kind: string, create: () => T): T {
  const resolve = policy.resolve ?? systemResolve;
  let byKey = pooled.get(resolve);
  if (!byKey) pooled.set(resolve, (byKey = new Map()));
  const key = `${kind} ${JSON.stringify(policy.allow)}`;
  let found = byKey.get(key);
  if (!found) byKey.set(key, (found = create()));
  return found as T;
}

/**
 * An http(s).Agent whose connections pass the policy. `keepAlive: false` gives a new agent (fresh
 * connections, as `agent: false`); `true` a pooled one with the settings of Node's global agent.
 */
export function guardedAgent(protocol: string, policy: OutboundPolicy, options: { keepAlive: boolean }): http.Agent {
  const secure = protocol === 'https:';
  const create = () => (secure ? new GuardedHttpsAgent(policy, options.keepAlive ? KEEP_ALIVE : {}) : new GuardedHttpAgent(policy, options.keepAlive ? KEEP_ALIVE : {}));
  return options.keepAlive ? pooledFor(policy, protocol, create) : create();
}

/** An undici dispatcher for fetch (`{dispatcher}`) whose connections pass the policy. */
export function guardedDispatcher(policy: OutboundPolicy): UndiciAgent {
  return pooledFor(policy, 'fetch', () => {
    const connect = buildConnector({ lookup: guardedLookup(policy) });
    return new UndiciAgent({
      connect: (options, callback) => {
        const refused = refusedLiteral(options.hostname, policy.allow);
        if (refused) callback(refused, null);
        else connect(options, callback);
      },
    });
  });
}

/**
 * The permanent CHANNEL_HOST_PRIVATE behind a failed request, if the guard refused its
 * connection: nothing was sent, and retrying cannot help until DNS or the allowance changes.
 * Looks through the wrappers the clients add (fetch's `cause`, AggregateError's `errors`, …).
 */
export function hostRefusal(error: unknown): ChannelError | undefined {
  const queue: unknown[] = [error];
  for (let seen = 0; seen < 8 && queue.length > 0; seen++) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null) continue;
    const e = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (current instanceof ChannelError) {
      if (current.code === 'CHANNEL_HOST_PRIVATE') return current;
      continue;
    }
    if (e.code === HOST_REFUSED_CODE) return hostRefusedError(typeof e.message === 'string' ? e.message : '');
    if (e.cause !== undefined) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
  }
  return undefined;
}

/** The ChannelError of a refused connection; `detail` is the guard's message (host and address, never a credential). */
export function hostRefusedError(detail: string): ChannelError {
  return new ChannelError('permanent', 'CHANNEL_HOST_PRIVATE', `Connection refused by Herold's outbound policy${detail ? `: ${detail}` : ''}; nothing was sent`);
}
