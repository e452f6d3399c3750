// Key rotation: re-encrypt every channel credential with the current HEROLD_SECRET_KEY. Old keys
// stay configured (HEROLD_OLD_SECRET_KEYS) until this has run.
import { decryptJson, encryptJson, envelopeKeyId } from '../security/credentials';
import type { Deps } from './deps';

export async function rotateKeys(deps: Deps): Promise<number> {
  const current = deps.config.secretKeys[0]!.id;
  const channels = await deps.db.channel.findMany({ where: { credentialsEnc: { not: null } }, select: { id: true, credentialsEnc: true } });
  let rotated = 0;
  for (const channel of channels) {
    if (envelopeKeyId(channel.credentialsEnc!) === current) continue;
    const plain = decryptJson(channel.credentialsEnc!, deps.config.secretKeys);
    // Compare-and-set: a concurrent credential change wins over the rotation.
    const { count } = await deps.db.channel.updateMany({
      where: { id: channel.id, credentialsEnc: channel.credentialsEnc },
      data: { credentialsEnc: encryptJson(plain, deps.config.secretKeys) },
    });
    rotated += count;
  }
  return rotated;
}
