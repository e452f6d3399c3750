// Part of every channel's contract: credentials never reach logs or attempt records.

import { FacebookAdsApi } from 'facebook-nodejs-business-sdk';
import { describeError, redact, redactValue } from '../../src/channels/redact';

describe('redact', () => {
  it('masks given secrets, raw and URL-encoded', () => {
    const secret = 'abc+/=secret';
    expect(redact(`token ${secret} and ${encodeURIComponent(secret)}`, [secret])).toBe('token [REDACTED] and [REDACTED]');
  });

  it('masks token parameters, auth headers and Facebook-looking tokens without being told', () => {
    const text = [
      'GET https://graph.facebook.com/v24.0/me?fields=id&access_token=EAAB123456789012345678901234',
      'Authorization: Bearer eyJhbGciOi.payload.sig',
      'Authorization: OAuth oauth_consumer_key="ck", oauth_signature="s%3D"',
      '{"accessSecret":"shh","ok":"yes"}',
      'found EAAGm0PX4ZCpsBAabcdefghijklmnopqrstuv in a message',
    ].join('\n');
    const out = redact(text);

    expect(out).not.toMatch(/EAAB|EAAGm0|eyJhbGciOi|oauth_signature="s|shh/);
    expect(out).toContain('fields=id');
    expect(out).toContain('"ok":"yes"');
  });

  it('ignores secrets too short to mask safely', () => {
    expect(redact('a b c', ['a'])).toBe('a b c');
  });
});

describe('redactValue', () => {
  it('copies plain data, masking credential keys and dropping class instances', () => {
    const socket = new (class Socket {
      authorization = 'Bearer x';
    })();
    const value = { status: 401, headers: { authorization: 'OAuth x', 'x-rate-limit-reset': '1' }, socket, nested: [{ pageAccessToken: 'p' }] };

    expect(redactValue(value)).toEqual({
      status: 401,
      headers: { authorization: '[REDACTED]', 'x-rate-limit-reset': '1' },
      socket: '[Socket]',
      nested: [{ pageAccessToken: '[REDACTED]' }],
    });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redactValue(a)).toEqual({ name: 'a', self: '[…]' });
  });
});

describe('describeError', () => {
  it('summarises a real FacebookRequestError without the token in its url', async () => {
    const token = 'EAAGsecretPageToken1234567890';
    const api = new FacebookAdsApi(token, 'en_US', false);
    // Port 9 on loopback refuses the connection: a real SDK error without network access.
    const error: unknown = await api.call('GET', 'http://127.0.0.1:9/v24.0/me?access_token=' + token).catch((e: unknown) => e);
    const summary = describeError(error, [token]);

    expect(summary.name).toBe('FacebookRequestError');
    expect(JSON.stringify(summary)).not.toContain(token);
    expect(JSON.stringify(redactValue(error, [token]))).not.toContain(token);
  });

  it('handles non-errors', () => {
    expect(describeError('boom access_token=abcdef')).toEqual({ name: 'Error', message: 'boom access_token=[REDACTED]' });
  });
});
