// Split bench: the CPU time of what POST /api/v1/preview does for one release, i.e. parsing a
// 3 KB press release and composing it for five channels (blog, Facebook, X, Mastodon,
// Bluesky). Target (../shared/spec/QUALITY.md): median ≤ 2 ms of CPU.
//
//   npx tsx bench/split.ts            standalone
//   import { benchSplit } from './split'   from bench/run.ts
//
// CPU time (process.cpuUsage), not wall time: the machine is shared, and a run that waits for
// the scheduler did not cost more. The median over many runs, after a warm-up for the JIT.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composePost, type ComposeOptions } from '../src/domain/splitting';
import type { ChannelType, ReleaseText } from '../src/domain/types';

const CHANNELS: readonly ChannelType[] = ['blog', 'facebook', 'twitter', 'mastodon', 'bluesky'];
const SAMPLE = join(__dirname, '../test/fixtures/releases/kbw-social-media-buergerbeteiligung.txt');
const TARGET_BYTES = 3 * 1024;

const OPTIONS: ComposeOptions = {
  articleUrl: 'https://presse.example.de/2012/social-media-buergerbeteiligung',
  mastodonMaxChars: 500,
  guidelines: {
    requiredHashtag: 'KBW',
    maxHashtags: 4,
    bannedPhrases: ['alternativlos', 'Bürokratiemonster'],
    hashtags: ['Bürgerbeteiligung', 'social media', 'Verwaltung', 'Weiterbildung'],
  },
};

/**
 * A 3 KB release cut from the sample: its paragraphs from the top, as many as fit, then its
 * press contact, so that every part of the parser has work to do.
 */
export function benchRelease(): ReleaseText {
  const sample = readFileSync(SAMPLE, 'utf8');
  const contactAt = sample.indexOf('Pressekontakt:');
  const contact = sample.slice(contactAt, sample.indexOf('\n\n', contactAt));
  const paragraphs = sample.slice(0, contactAt).split('\n\n');
  let body = '';
  for (const paragraph of paragraphs) {
    if (Buffer.byteLength(`${body}${paragraph}\n\n${contact}`) > TARGET_BYTES) break;
    body += `${paragraph}\n\n`;
  }
  return { title: 'Social Media – Ein Weg zu mehr Bürgerbeteiligung', subtitle: 'Seminarreihe des KBW', dateline: 'Berlin, 27.08.2012', body: body + contact };
}

export interface SplitBenchResult {
  medianMs: number;
  p90Ms: number;
  runs: number;
  releaseBytes: number;
}

export async function benchSplit(options: { runs?: number; warmup?: number; log?: boolean } = {}): Promise<SplitBenchResult> {
  const runs = options.runs ?? 3000;
  const warmup = options.warmup ?? 300;
  const base = benchRelease();
  // The composer caches the analysis of the last release it saw, as the preview benefits from
  // it within one request. Two releases that differ by a trailing newline, taken in turn, make
  // every run parse afresh, as every preview request does.
  const releases = [base, { ...base, body: `${base.body}\n` }];
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const release = releases[i % 2] as ReleaseText;
    const before = process.cpuUsage();
    for (const channel of CHANNELS) composePost(release, channel, OPTIONS);
    const used = process.cpuUsage(before);
    if (i >= warmup) samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  const result = { medianMs: at(0.5), p90Ms: at(0.9), runs, releaseBytes: Buffer.byteLength(base.body) };
  if (options.log ?? true) {
    console.log(`split: median ${result.medianMs.toFixed(3)} ms CPU (n=${runs}, p90 ${result.p90Ms.toFixed(3)} ms, release ${result.releaseBytes} bytes, ${CHANNELS.length} channels)`);
  }
  return result;
}

if (require.main === module) {
  benchSplit().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
