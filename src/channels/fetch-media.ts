// Fetching an image by URL for upload to a network. Only http(s); private, loopback and
// link-local addresses are refused unless explicitly allowed (tests, intranet image servers).
// The connection goes through guardedAgent of src/security/outbound.ts (the one range policy):
// the address judged is the address connected to, so DNS rebinding cannot slip past, and a
// fresh agent means no pooled socket of some other, unguarded request is reused.
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { ALL_PRIVATE_HOSTS, NO_PRIVATE_HOSTS, guardedAgent, hostRefusal, isPublicAddress, type OutboundPolicy, type Resolve } from '../security/outbound';
import { ChannelError } from './channel';

export interface FetchedMedia {
  bytes: Buffer;
  contentType: string;
  /** Last path segment of the URL, for networks that want a file name. */
  filename: string;
}

export interface FetchMediaOptions {
  allowPrivate: boolean;
  /** The resolver the connection's guard uses; tests inject one to simulate DNS rebinding. */
  resolve?: Resolve;
  maxBytes?: number;
  timeoutMs?: number;
}

export type MediaFetcher = (url: string) => Promise<FetchedMedia>;

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

// The range policy is shared with the channels' own hosts (src/security/outbound.ts).
export { isPublicAddress };

/** Image hosts have a switch of their own (HEROLD_ALLOW_PRIVATE_MEDIA): all private addresses or none. */
function mediaPolicy(opts: FetchMediaOptions): OutboundPolicy {
  return { allow: opts.allowPrivate ? ALL_PRIVATE_HOSTS : NO_PRIVATE_HOSTS, ...(opts.resolve ? { resolve: opts.resolve } : {}) };
}

export function createMediaFetcher(opts: FetchMediaOptions): MediaFetcher {
  return (url) => fetchMedia(url, opts);
}

export function fetchMedia(url: string, opts: FetchMediaOptions): Promise<FetchedMedia> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new ChannelError('permanent', 'MEDIA_URL_INVALID', 'image URL is not a URL'));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(new ChannelError('permanent', 'MEDIA_URL_INVALID', 'image URL must be http(s)'));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host) && !opts.allowPrivate && !isPublicAddress(host)) {
    return Promise.reject(new ChannelError('permanent', 'MEDIA_URL_PRIVATE', `image host ${host} is not public`));
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<FetchedMedia>((resolve, reject) => {
    const agent = guardedAgent(target.protocol, mediaPolicy(opts), { keepAlive: false });
    const req = client.get(target, { agent, timeout: opts.timeoutMs ?? 15_000 }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (status >= 500) {
        res.resume();
        return reject(new ChannelError('retryable', 'MEDIA_FETCH_FAILED', `image server answered ${status}`));
      }
      if (status !== 200) {
        res.resume();
        return reject(new ChannelError('permanent', 'MEDIA_UNREACHABLE', `image server answered ${status}`));
      }
      if (!contentType.startsWith('image/')) {
        res.resume();
        return reject(new ChannelError('permanent', 'MEDIA_NOT_IMAGE', `content type ${contentType || 'missing'}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy();
          reject(new ChannelError('permanent', 'MEDIA_TOO_LARGE', `image larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ bytes: Buffer.concat(chunks), contentType, filename: decodeURIComponent(target.pathname.split('/').pop() || 'bild') }),
      );
      res.on('error', (err) => reject(new ChannelError('retryable', 'MEDIA_FETCH_FAILED', err.message)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (hostRefusal(err)) reject(new ChannelError('permanent', 'MEDIA_URL_PRIVATE', err.message));
      else reject(new ChannelError('retryable', 'MEDIA_FETCH_FAILED', err.message));
    });
  });
}
