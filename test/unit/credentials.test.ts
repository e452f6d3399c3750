// src/security/credentials.ts: channel credentials at rest (AES-256-GCM, key rotation).
import { randomBytes } from 'node:crypto';
import { keyId } from '../../config/load';
import { decryptJson, encryptJson, envelopeKeyId, type SecretKey } from '../../src/security/credentials';

function secretKey(): SecretKey {
  const key = randomBytes(32);
  return { id: keyId(key), key };
}

const TOKEN = 'EAAGm0PX4ZCpsBAKlartextPageToken1234567890';
const CREDENTIALS = { pageAccessToken: TOKEN, note: 'Stadtverwaltung – Presse' };

/** Flips one bit in the given base64 part of the envelope (3 = tag, 4 = ciphertext). */
function flipBit(envelope: string, part: 3 | 4, byte = 0): string {
  const parts = envelope.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64');
  bytes[byte] = bytes[byte]! ^ 0x01;
  parts[part] = bytes.toString('base64');
  return parts.join(':');
}

describe('channel credentials encryption', () => {
  const current = secretKey();

  it('round-trips a JSON value', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    expect(decryptJson(envelope, [current])).toEqual(CREDENTIALS);
  });

  it('stores the id of the current key beside the ciphertext', () => {
    const envelope = encryptJson(CREDENTIALS, [current, secretKey()]);
    expect(envelope.split(':')[0]).toBe('v1');
    expect(envelopeKeyId(envelope)).toBe(current.id);
  });

  it('never contains the plaintext token, in clear or in base64', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    expect(envelope).not.toContain(TOKEN);
    expect(envelope).not.toContain('Stadtverwaltung');
    // Nor once the base64 parts are decoded (an encoding is not an encryption).
    for (const part of envelope.split(':').slice(2)) {
      const bytes = Buffer.from(part, 'base64');
      expect(bytes.toString('latin1')).not.toContain(TOKEN.slice(0, 12));
      expect(bytes.toString('utf8')).not.toContain('pageAccessToken');
    }
  });

  it('refuses a tampered ciphertext', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    expect(() => decryptJson(flipBit(envelope, 4), [current])).toThrow();
    expect(() => decryptJson(flipBit(envelope, 4, 10), [current])).toThrow();
  });

  it('refuses a tampered authentication tag', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    expect(() => decryptJson(flipBit(envelope, 3), [current])).toThrow();
    expect(() => decryptJson(flipBit(envelope, 3, 15), [current])).toThrow();
  });

  // Node accepts GCM tags of 4–16 bytes by default; a shortened tag would make forgery feasible.
  it('refuses an authentication tag cut short', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    const parts = envelope.split(':');
    parts[3] = Buffer.from(parts[3]!, 'base64').subarray(0, 4).toString('base64');
    expect(() => decryptJson(parts.join(':'), [current])).toThrow();
  });

  it('refuses an envelope whose IV was changed', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    const parts = envelope.split(':');
    parts[2] = randomBytes(12).toString('base64');
    expect(() => decryptJson(parts.join(':'), [current])).toThrow();
  });

  it('refuses a malformed envelope', () => {
    expect(() => decryptJson('v1:abc', [current])).toThrow('unknown credential envelope');
    const envelope = encryptJson(CREDENTIALS, [current]);
    expect(() => decryptJson(envelope.replace(/^v1:/, 'v2:'), [current])).toThrow('unknown credential envelope');
  });

  it('decrypts a value written with the old key after rotation', () => {
    const old = secretKey();
    const envelope = encryptJson(CREDENTIALS, [old]);
    const rotated = [secretKey(), old];

    expect(decryptJson(envelope, rotated)).toEqual(CREDENTIALS);
    // New values use the new key.
    expect(envelopeKeyId(encryptJson(CREDENTIALS, rotated))).toBe(rotated[0]!.id);
  });

  it('throws for a key id that is not configured', () => {
    const forgotten = secretKey();
    const envelope = encryptJson(CREDENTIALS, [forgotten]);
    expect(() => decryptJson(envelope, [current])).toThrow(`encrypted with key ${forgotten.id}`);
  });

  it('does not decrypt with another key under a matching id', () => {
    const envelope = encryptJson(CREDENTIALS, [current]);
    expect(() => decryptJson(envelope, [{ id: current.id, key: randomBytes(32) }])).toThrow();
  });

  it('gives two encryptions of the same value different IVs and ciphertexts', () => {
    const a = encryptJson(CREDENTIALS, [current]).split(':');
    const b = encryptJson(CREDENTIALS, [current]).split(':');

    expect(Buffer.from(a[2]!, 'base64')).toHaveLength(12);
    expect(a[2]).not.toBe(b[2]);
    expect(a[4]).not.toBe(b[4]);
  });

  it('refuses to encrypt without a key', () => {
    expect(() => encryptJson(CREDENTIALS, [])).toThrow('no secret key configured');
  });
});
