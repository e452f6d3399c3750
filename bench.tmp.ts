// Ad-hoc timing (not committed): CPU per 3 KB release composed for five channels.
import { readFileSync } from 'node:fs';
import { composePost } from './src/domain/splitting';
const raw = readFileSync('test/fixtures/releases/kbw-social-media-buergerbeteiligung.txt', 'utf8');
const base = raw.slice(0, 2750) + '\n\nPressekontakt:\nKommunales Bildungswerk e.V.\nTelefon: 030 293350-0\neMail: Hennig@kbw.de\n';
const title = raw.split('\n')[0]!;
console.log('body bytes', Buffer.byteLength(base));
const channels = ['blog', 'facebook', 'twitter', 'mastodon', 'bluesky'] as const;
const opts = { articleUrl: 'https://presse.example.de/2012/social-media', hashtags: ['Bürgerbeteiligung', 'social media'] };
let k = 0;
// A different body each time, so nothing is reused between releases.
const run = () => { const release = { title, body: `${base}\n\nStand ${k++}.`, dateline: 'Berlin, 27.08.2012' }; for (const ch of channels) composePost(release, ch, opts); };
const t0 = process.cpuUsage(); run(); const c = process.cpuUsage(t0); console.log('first call (cold, incl. JIT):', ((c.user + c.system) / 1000).toFixed(2), 'ms');
for (let i = 0; i < 500; i++) run();
const samples: number[] = [];
for (let r = 0; r < 21; r++) { const n = 200; const s = process.cpuUsage(); for (let i = 0; i < n; i++) run(); const d = process.cpuUsage(s); samples.push((d.user + d.system) / 1000 / n); }
samples.sort((a, b) => a - b);
console.log(`warm, per release x5 channels: median ${samples[10]!.toFixed(3)} ms CPU (min ${samples[0]!.toFixed(3)}, max ${samples[20]!.toFixed(3)}, 21 x 200 releases)`);
for (const ch of channels) { const s = process.cpuUsage(); for (let i = 0; i < 1000; i++) { const release = { title, body: `${base}\n\nStand ${k++}.` }; composePost(release, ch, opts); } const d = process.cpuUsage(s); console.log(`  ${ch} alone incl. parsing: ${((d.user + d.system) / 1000 / 1000).toFixed(3)} ms`); }
