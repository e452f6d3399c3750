// Image fetching for uploads: only http(s), no private or loopback targets unless allowed, only
// images, bounded size.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchMedia, isPublicAddress } from '../../src/channels/fetch-media';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('fetchMedia', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/bild.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else if (req.url === '/seite.html') res.writeHead(200, { 'content-type': 'text/html' }).end('<p>kein Bild</p>');
      else if (req.url === '/gross.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(2048));
      else if (req.url === '/kaputt.png') res.writeHead(503).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches an image when private addresses are allowed', async () => {
    const media = await fetchMedia(`${base}/bild.png`, { allowPrivate: true });
    expect(media).toEqual({ bytes: PNG, contentType: 'image/png', filename: 'bild.png' });
  });

  it('refuses a loopback address by default', async () => {
    await expect(fetchMedia(`${base}/bild.png`, { allowPrivate: false })).rejects.toMatchObject({ kind: 'permanent', code: 'MEDIA_URL_PRIVATE' });
  });

  it('refuses a host name that resolves to loopback (checked at connect time)', async () => {
    const url = `http://localhost:${(server.address() as AddressInfo).port}/bild.png`;
    await expect(fetchMedia(url, { allowPrivate: false })).rejects.toMatchObject({ code: 'MEDIA_URL_PRIVATE' });
  });

  it('refuses other schemes', async () => {
    await expect(fetchMedia('file:///etc/passwd', { allowPrivate: true })).rejects.toMatchObject({ code: 'MEDIA_URL_INVALID' });
    await expect(fetchMedia('ftp://example.org/a.png', { allowPrivate: true })).rejects.toMatchObject({ code: 'MEDIA_URL_INVALID' });
  });

  it('refuses what is not an image, too large, missing, and retries a server error', async () => {
    await expect(fetchMedia(`${base}/seite.html`, { allowPrivate: true })).rejects.toMatchObject({ kind: 'permanent', code: 'MEDIA_NOT_IMAGE' });
    await expect(fetchMedia(`${base}/gross.png`, { allowPrivate: true, maxBytes: 1024 })).rejects.toMatchObject({ code: 'MEDIA_TOO_LARGE' });
    await expect(fetchMedia(`${base}/fehlt.png`, { allowPrivate: true })).rejects.toMatchObject({ kind: 'permanent', code: 'MEDIA_UNREACHABLE' });
    await expect(fetchMedia(`${base}/kaputt.png`, { allowPrivate: true })).rejects.toMatchObject({ kind: 'retryable', code: 'MEDIA_FETCH_FAILED' });
  });
});

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', false], ['10.1.2.3', false], ['172.16.0.1', false], ['192.168.1.1', false], ['169.254.169.254', false],
    ['0.0.0.0', false], ['::1', false], ['fc00::1', false], ['fe80::1', false], ['::ffff:127.0.0.1', false], ['100.64.0.1', false],
    ['8.8.8.8', true], ['2a00:1450:4001:82a::200e', true], ['not-an-ip', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});
