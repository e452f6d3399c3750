// Channel credentials at rest: AES-256-GCM, a fresh IV per value, the key id stored beside
// the ciphertext so keys can be rotated (`herold keys rotate`) without a flag day.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretKey {
  id: string;
  key: Buffer;
}

const VERSION = 'v1';

export function encryptJson(value: unknown, keys: SecretKey[]): string {
  const current = keys[0];
  if (!current) throw new Error('no secret key configured');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, current.id, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
}

export function decryptJson<T = Record<string, unknown>>(envelope: string, keys: SecretKey[]): T {
  const [version, id, iv, tag, ciphertext] = envelope.split(':');
  if (version !== VERSION || !id || !iv || !tag || !ciphertext) throw new Error('unknown credential envelope');
  const secret = keys.find((k) => k.id === id);
  if (!secret) throw new Error(`credentials were encrypted with key ${id}, which is not configured`);
  const authTag = Buffer.from(tag, 'base64');
  // Node accepts GCM tags of 4–16 bytes unless told otherwise; a shortened tag would make
  // forging a stored value feasible.
  if (authTag.length !== 16) throw new Error('credential envelope has a truncated authentication tag');
  const decipher = createDecipheriv('aes-256-gcm', secret.key, Buffer.from(iv, 'base64'), { authTagLength: 16 });
  decipher.setAuthTag(authTag);
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
  return JSON.parse(plaintext.toString('utf8')) as T;
}

export function envelopeKeyId(envelope: string): string | undefined {
  return envelope.split(':')[1];
}
