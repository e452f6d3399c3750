// Which hosts Herold may talk to on an admin's say-so. A channel's apiBaseUrl, WordPress siteUrl,
// Mastodon instanceUrl and Bluesky service are typed in by an admin, and the channel's token
// travels with every request to them: without this policy an admin (or a stolen admin session)
// could make Herold call the cloud metadata service, the database host or an intranet service,
// carrying that token. Private, loopback, link-local and other non-public addresses are refused
// unless IT allows them (HEROLD_ALLOW_PRIVATE_HOSTS: `1` for all, or a list of addresses and
// CIDR ranges for an on-premises installation; the tests allow loopback for their fakes).
//
// A host name is resolved and every address it resolves to must pass, when the channel is saved
// and again right before each check and publication (DNS answers can change in between).
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { ChannelError } from '../channels/channel';

/** Exceptions IT configured: every non-public address, or the listed ranges only. */
export interface PrivateHostAllowance {
  all: boolean;
  /** Addresses and CIDR ranges, e.g. `127.0.0.1`, `10.20.0.0/16`, `fd00::/8`. */
  ranges: string[];
}

export const NO_PRIVATE_HOSTS: PrivateHostAllowance = { all: false, ranges: [] };

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
