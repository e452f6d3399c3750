// Fault queue and server plumbing shared by the simulated networks.

import { createIdSource, FaultQueue, parseBody, startFakeServer, type FakeRequest, type FakeServer } from '../../src/simulated/http-util';

describe('FaultQueue', () => {
  it('hands a fault out as many times as asked, then nothing', () => {
    const queue = new FaultQueue();
    queue.add({ status: 500 }, 2);

    expect([queue.take('GET', '/a'), queue.take('GET', '/a'), queue.take('GET', '/a')]).toEqual([
      { status: 500 },
      { status: 500 },
      undefined,
    ]);
  });

  it('applies a fault only to matching requests, after skipping some', () => {
    const queue = new FaultQueue();
    queue.add({ drop: true }, 1, { method: 'post', path: /^\/2\/tweets$/, skip: 1 });

    expect(queue.take('GET', '/2/tweets')).toBeUndefined();
    expect(queue.take('POST', '/2/tweets')).toBeUndefined(); // skipped
    expect(queue.pending).toBe(1);
    expect(queue.take('POST', '/2/tweets')).toEqual({ drop: true });
    expect(queue.pending).toBe(0);
  });

  it('refuses a non-positive count', () => {
    expect(() => new FaultQueue().add({ status: 500 }, 0)).toThrow(RangeError);
  });
});

describe('parseBody', () => {
  it('reads JSON objects and url-encoded forms, flags broken JSON', () => {
    expect(parseBody('application/json; charset=utf-8', '{"a":1}')).toEqual({ body: { a: 1 }, invalid: false });
    expect(parseBody('application/x-www-form-urlencoded', 'a=1&b=x%20y')).toEqual({ body: { a: '1', b: 'x y' }, invalid: false });
    expect(parseBody('application/json', '{oops')).toEqual({ body: {}, invalid: true });
    expect(parseBody('application/json', '[1]')).toEqual({ body: {}, invalid: true });
    expect(parseBody(undefined, '')).toEqual({ body: {}, invalid: false });
  });
});

describe('createIdSource', () => {
  it('yields strictly growing ids even within one millisecond', () => {
    const next = createIdSource();
    const ids = Array.from({ length: 50 }, () => next());
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0n))).toBe(true);
  });
});

describe('startFakeServer', () => {
  const handled: string[] = [];
  const received: Buffer[] = [];
  let s: FakeServer;

  beforeAll(async () => {
    s = await startFakeServer({
      handle: (req: FakeRequest) => {
        handled.push(req.path);
        received.push(req.raw);
        if (req.path === '/page') return { status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' };
        return { status: 200, body: { ok: true } };
      },
      faultAnswer: (fault) => ({ status: fault.status, body: { injected: fault.status } }),
      internalError: () => ({ status: 500, body: { error: 'bug' } }),
      maxBodyBytes: 64,
      tooLarge: () => ({ status: 413, contentType: 'text/html', body: '<h1>413 Request Entity Too Large</h1>' }),
    });
  });
  afterAll(() => s.close());
  beforeEach(() => {
    handled.length = 0;
    received.length = 0;
  });

  it('hands the handler the body byte for byte, also bytes that are not UTF-8', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0xc3]);
    const res = await fetch(`${s.url}/upload`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes });

    expect(res.status).toBe(200);
    expect(received[0]?.equals(bytes)).toBe(true);
  });

  it('sends string bodies as they are and refuses oversized bodies with the given answer', async () => {
    const page = await fetch(`${s.url}/page`);
    expect(page.status).toBe(502);
    expect(await page.text()).toBe('<h1>502 Bad Gateway</h1>');

    const big = await fetch(`${s.url}/big`, { method: 'POST', body: Buffer.alloc(65) });
    expect(big.status).toBe(413);
    expect(await big.text()).toBe('<h1>413 Request Entity Too Large</h1>');
    expect(handled).toEqual(['/page']);
  });

  it('answers an injected status fault without running the handler', async () => {
    s.faults.add({ status: 503 });
    const res = await fetch(`${s.url}/x`);

    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ injected: 503 });
    expect(handled).toEqual([]);
  });

  it('processes a delayed request only after the delay', async () => {
    s.faults.add({ delayMs: 300 });
    const started = Date.now();
    const res = await fetch(`${s.url}/slow`);

    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(handled).toEqual(['/slow']);
  });

  it('drops a connection before or after processing, as asked', async () => {
    s.faults.add({ drop: true, beforeProcessing: true });
    await expect(fetch(`${s.url}/before`)).rejects.toThrow();
    s.faults.add({ drop: true });
    await expect(fetch(`${s.url}/after`)).rejects.toThrow();

    expect(handled).toEqual(['/after']);
    expect(s.requests.slice(-2).map((r) => r.fault)).toEqual(['drop', 'drop']);
  });
});
