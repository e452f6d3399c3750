// The contract every channel adapter keeps, run with the real SDK against its loopback fake: what
// gets published, and how each kind of failure is sorted for the worker. Each network's test
// file calls runChannelContract with a harness for its adapter and fake.
import net from 'node:net';
import type { ChannelAdapter, ChannelError, Credentials, Settings } from '../../src/channels/channel';
import type { PostContent } from '../../src/domain/types';
import type { Fault, FaultMatch } from '../../src/simulated/http-util';
import { setOutboundPolicyOutsideScope } from '../../src/security/outbound';
import { recordingContext } from '../helpers/publish-context';

// These tests call the adapters directly, outside the services' withOutboundPolicy, against fakes
// on loopback: allow loopback (only), as the harness's HEROLD_ALLOW_PRIVATE_HOSTS does.
setOutboundPolicyOutsideScope({ allow: { all: false, ranges: ['127.0.0.0/8', '::1'] } });

export interface ContractHarness {
  name: string;
  adapter: ChannelAdapter;
  start(): Promise<void>;
  stop(): Promise<void>;
  reset(): void;
  settings(extra?: Settings): Settings;
  credentials(): Credentials;
  /** Makes the credentials of credentials() invalid on the fake. */
  revoke(): void;
  content(text: string): PostContent;
  tooLong(): PostContent;
  /** Posts as the fake stored them. */
  stored(): { id: string; text: string }[];
  failNext(fault: Fault, times?: number, match?: FaultMatch): void;
  /** Every credential string: none may appear in an error. */
  secrets: string[];
  account: string;
  urlOf(id: string): string;
  /**
   * How the network treats the same post twice: `refused` (X, Facebook: an error), or
   * `idempotent` (Mastodon's Idempotency-Key, Bluesky's record key: the first post comes back).
   */
  duplicates?: 'refused' | 'idempotent';
}

/** What each contract test hands the adapter (test/helpers/publish-context.ts). */
export const context = recordingContext;

/** The ChannelError a promise rejects with (fails the test if it resolves or throws something else). */
export async function channelError(promise: Promise<unknown>): Promise<ChannelError> {
  const error: unknown = await promise.then(
    () => new Error('expected a ChannelError, but the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: 'ChannelError' });
  return error as ChannelError;
}

export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function runChannelContract(h: ContractHarness): void {
  describe(`${h.name} adapter against its fake`, () => {
    beforeAll(() => h.start());
    afterAll(() => h.stop());
    beforeEach(() => h.reset());

    it('publishes, and the fake holds exactly that post', async () => {
      const result = await h.adapter.publish(h.content('Stadtfest am Samstag'), h.settings(), h.credentials(), context());

      expect(h.stored()).toEqual([{ id: result.externalId, text: 'Stadtfest am Samstag' }]);
      expect(result.externalUrl).toBe(h.urlOf(result.externalId));
    });

    it('check() names the account behind the credentials', async () => {
      await expect(h.adapter.check(h.settings(), h.credentials())).resolves.toEqual({ account: h.account });
    });

    it('sorts a 500 as retryable, and nothing is stored', async () => {
      h.failNext({ status: 500 });
      const error = await channelError(h.adapter.publish(h.content('Fehler 500'), h.settings(), h.credentials(), context()));

      expect(error).toMatchObject({ kind: 'retryable', code: 'SERVER_ERROR' });
      expect(h.stored()).toEqual([]);
    });

    it('sorts throttling as retryable with retryAfterMs from the network', async () => {
      h.failNext({ status: 429, resetInSeconds: 120 });
      const error = await channelError(h.adapter.publish(h.content('Zu viele'), h.settings(), h.credentials(), context()));

      expect(error).toMatchObject({ kind: 'retryable', code: 'RATE_LIMITED' });
      expect(error.options.retryAfterMs).toBeGreaterThanOrEqual(100_000);
      expect(error.options.retryAfterMs).toBeLessThanOrEqual(121_000);
    });

    it('refuses with kind auth on a 401', async () => {
      h.failNext({ status: 401 });
      const error = await channelError(h.adapter.publish(h.content('401'), h.settings(), h.credentials(), context()));
      expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED' });
    });

    it('refuses with kind auth once the token is revoked, also in check()', async () => {
      h.revoke();
      const error = await channelError(h.adapter.check(h.settings(), h.credentials()));
      expect(error).toMatchObject({ kind: 'auth', code: 'AUTH_EXPIRED' });
    });

    if ((h.duplicates ?? 'refused') === 'refused') {
      it('refuses a duplicate as permanent', async () => {
        await h.adapter.publish(h.content('Zweimal derselbe Text'), h.settings(), h.credentials(), context());
        const error = await channelError(
          h.adapter.publish(h.content('Zweimal derselbe Text'), h.settings(), h.credentials(), context()),
        );

        expect(error).toMatchObject({ kind: 'permanent', code: 'DUPLICATE' });
        expect(h.stored()).toHaveLength(1);
      });
    } else {
      it('returns the first post when the same post is sent again with the same key', async () => {
        const first = await h.adapter.publish(h.content('Zweimal derselbe Beitrag'), h.settings(), h.credentials(), context());
        const again = await h.adapter.publish(h.content('Zweimal derselbe Beitrag'), h.settings(), h.credentials(), context());

        expect(again.externalId).toBe(first.externalId);
        expect(h.stored()).toHaveLength(1);
      });
    }

    it('refuses over-long content as permanent without sending it', async () => {
      const error = await channelError(h.adapter.publish(h.tooLong(), h.settings(), h.credentials(), context()));

      expect(error).toMatchObject({ kind: 'permanent', code: 'TOO_LONG' });
      expect(h.stored()).toEqual([]);
    });

    it('reports unknown_outcome when the answer is slower than the timeout (the post may exist)', async () => {
      h.failNext({ delayMs: 1200 });
      const started = Date.now();
      const error = await channelError(
        h.adapter.publish(h.content('Langsam'), h.settings({ timeoutMs: 300 }), h.credentials(), context()),
      );

      expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
      expect(Date.now() - started).toBeLessThan(1100);
      // The network went on and published it: exactly why the worker must not re-send blindly.
      await eventually(() => h.stored().length === 1);
    });

    it('reports unknown_outcome when the connection drops after sending', async () => {
      h.failNext({ drop: true });
      const error = await channelError(h.adapter.publish(h.content('Abgerissen'), h.settings(), h.credentials(), context()));

      expect(error).toMatchObject({ kind: 'unknown_outcome', code: 'TIMEOUT_AFTER_SEND' });
      expect(h.stored()).toHaveLength(1);
    });

    it('sorts a refused connection as retryable: nothing was sent', async () => {
      const settings = h.settings({ apiBaseUrl: `http://127.0.0.1:${await closedPort()}` });
      const error = await channelError(h.adapter.publish(h.content('Niemand da'), settings, h.credentials(), context()));
      expect(error).toMatchObject({ kind: 'retryable', code: 'NETWORK_ERROR' });
    });

    it('refuses missing credentials with kind auth', async () => {
      const error = await channelError(h.adapter.publish(h.content('Ohne'), h.settings(), {}, context()));
      expect(error).toMatchObject({ kind: 'auth', code: 'CREDENTIALS_MISSING' });
    });

    it('never puts a credential into an error message or body', async () => {
      const faults: Fault[] = [{ status: 500 }, { status: 429 }, { status: 401 }, { status: 403 }, { status: 400 }, { drop: true }];
      const errors: ChannelError[] = [];
      for (const [i, fault] of faults.entries()) {
        h.failNext(fault);
        errors.push(await channelError(h.adapter.publish(h.content(`Geheim ${i}`), h.settings(), h.credentials(), context())));
      }
      h.revoke();
      errors.push(await channelError(h.adapter.check(h.settings(), h.credentials())));

      for (const error of errors) {
        const text = `${error.message} ${JSON.stringify(error.options)} ${error.stack ?? ''}`;
        for (const secret of h.secrets) expect(text).not.toContain(secret);
      }
    });

    it('validates: too long and missing alt text block submit', () => {
      const codes = (content: PostContent): string[] =>
        h.adapter.validate(content, h.settings()).filter((w) => w.severity === 'error').map((w) => w.code);

      expect(codes(h.content('Gut'))).toEqual([]);
      expect(codes(h.tooLong())).toEqual(['TOO_LONG']);
      expect(codes({ ...h.content('Bild'), media: [{ url: 'https://example.org/a.jpg', alt: ' ' }] })).toEqual([
        'MEDIA_ALT_MISSING',
      ]);
    });
  });
}
