// src/services/auth.ts `sameSecret`: the one constant-time comparison of client-sent secrets
// (CSRF tokens of the API and the staff UI, the login form token).
import { timingSafeEqual } from 'node:crypto';
import { sameSecret } from '../../src/services/auth';

// Watched, not replaced: the helper must still compare for real.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
const compared = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;

describe('sameSecret', () => {
  const token = `csrf_${'A1b2'.repeat(11)}`;
  beforeEach(() => compared.mockClear());

  it('accepts exactly the expected token, compared with timingSafeEqual', () => {
    expect(sameSecret(`${token}`, token)).toBe(true);
    expect(compared).toHaveBeenCalledTimes(1);
  });

  it('refuses a token of the same length that differs anywhere', () => {
    for (const i of [0, 5, token.length - 1]) {
      const other = token.slice(0, i) + (token[i] === 'x' ? 'y' : 'x') + token.slice(i + 1);
      expect({ i, same: sameSecret(other, token) }).toEqual({ i, same: false });
    }
    expect(compared).toHaveBeenCalledTimes(3);
  });

  it('refuses a shorter or longer token without comparing', () => {
    expect(sameSecret(token.slice(0, -1), token)).toBe(false);
    expect(sameSecret(`${token}x`, token)).toBe(false);
    expect(sameSecret('', token)).toBe(false);
    expect(compared).not.toHaveBeenCalled();
  });

  it('refuses, without throwing, a token as long in characters but not in bytes', () => {
    // "é" is two bytes in UTF-8: a character-length check alone would reach timingSafeEqual with
    // buffers of different lengths, which throws (an answer 500 instead of 403).
    const sent = 'é'.repeat(token.length);
    expect(sent.length).toBe(token.length);
    expect(() => sameSecret(sent, token)).not.toThrow();
    expect(sameSecret(sent, token)).toBe(false);
  });

  it('refuses anything that is not a string', () => {
    for (const sent of [undefined, null, 42, [token], { token }, Buffer.from(token)]) {
      expect(sameSecret(sent, token)).toBe(false);
    }
  });

  it('matches nothing when there is no expected secret', () => {
    for (const expected of ['', null, undefined]) {
      expect(sameSecret('', expected)).toBe(false);
      expect(sameSecret('anything', expected)).toBe(false);
    }
  });
});
