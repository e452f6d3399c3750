// The PublishContext a test hands an adapter directly: it records what the adapter saves.
// Side-effect free, unlike test/contract/suite.ts, which also widens the outbound policy.
import type { Credentials, PublishContext, PublishProgress } from '../../src/channels/channel';
import { createMediaFetcher } from '../../src/channels/fetch-media';

export function recordingContext(
  progress: PublishProgress = {},
  overrides: Partial<PublishContext> = {},
): PublishContext & { saved: PublishProgress[]; savedCredentials: Credentials[] } {
  const saved: PublishProgress[] = [];
  const savedCredentials: Credentials[] = [];
  return {
    postId: 'post-1',
    idempotencyKey: 'post-1:rev-1',
    orgSlug: 'musterstadt',
    releaseSlug: 'stadtfest',
    publicUrl: 'https://presse.musterstadt.de',
    progress,
    saved,
    saveProgress: (p) => {
      saved.push(structuredClone(p));
      return Promise.resolve();
    },
    savedCredentials,
    saveCredentials: (c) => {
      savedCredentials.push(structuredClone(c));
      return Promise.resolve();
    },
    // Tests serve their images from loopback servers.
    fetchMedia: createMediaFetcher({ allowPrivate: true }),
    ...overrides,
  };
}
