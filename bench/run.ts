// `npm run bench`: the timing targets of QUALITY.md "Performance" (not part of jest; nothing
// here asserts in a test). Each scenario prints one line with its figures and its verdict; a
// summary table follows. See docs/benchmarks.md for what each measures and what limits it.
//
//   npm run bench                          every scenario (about 10 minutes on 2 shared cores)
//   npm run bench -- burst lateness        only these (a name selects every scenario it prefixes)
//   npm run bench -- --quick               fewer posts and one repetition, for development
//   npm run bench -- burst --reps 5        repetitions of the repeated scenarios (default 3, quick 1)
//
// Uses its own database herold_bench (created and migrated here) and Redis db 14 (flushed).
import { benchApi } from './api';
import { benchBurst } from './burst';
import { migrateBenchDatabase, verdict, type BenchOptions, type ScenarioResult } from './common';
import { benchLatenessSingle } from './lateness-single';
import { benchLatenessTopOfHour } from './lateness-top-of-hour';
import { benchQueueFloor } from './queue-floor';
import { benchScale } from './scale';
import { benchSlowNetwork } from './slow-network';
import { benchSplit } from './split';

async function split(): Promise<ScenarioResult> {
  const result = await benchSplit({ log: false });
  const pass = result.medianMs <= 2;
  return {
    scenario: 'split',
    line: `split (3 KB release, 5 channels): median ${result.medianMs.toFixed(2)} ms CPU (p90 ${result.p90Ms.toFixed(2)} ms, n=${result.runs}) — target ≤ 2 ms: ${verdict(pass)}`,
    pass,
    summary: `median ${result.medianMs.toFixed(2)} ms CPU`,
  };
}

const SCENARIOS: { name: string; needsDb: boolean; run: (options: BenchOptions) => Promise<ScenarioResult> }[] = [
  { name: 'split', needsDb: false, run: split },
  { name: 'queue-floor', needsDb: false, run: benchQueueFloor },
  { name: 'burst', needsDb: true, run: benchBurst },
  { name: 'lateness-single', needsDb: true, run: benchLatenessSingle },
  { name: 'lateness-top-of-hour', needsDb: true, run: benchLatenessTopOfHour },
  { name: 'slow-network', needsDb: true, run: benchSlowNetwork },
  { name: 'scale', needsDb: true, run: benchScale },
  { name: 'api', needsDb: true, run: benchApi },
];

function parseArgs(argv: string[]): { names: string[]; options: BenchOptions } {
  const quick = argv.includes('--quick');
  let reps = quick ? 1 : 3;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') continue;
    if (arg === '--reps') {
      reps = Number(argv[++i]);
      if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps needs a positive integer');
      continue;
    }
    if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    names.push(arg);
  }
  return { names, options: { quick, reps } };
}

async function main() {
  const { names, options } = parseArgs(process.argv.slice(2));
  const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.some((n) => s.name.startsWith(n)));
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name.startsWith(n)));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  if (chosen.some((s) => s.needsDb)) migrateBenchDatabase();

  console.log(`herold bench ${new Date().toISOString()}${options.quick ? ' (quick)' : ''}, ${options.reps} repetition(s)`);
  const results: ScenarioResult[] = [];
  let errors = 0;
  for (const scenario of chosen) {
    const started = Date.now();
    try {
      const result = await scenario.run(options);
      console.log(result.line);
      results.push(result);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      errors += 1;
      console.log(`${scenario.name}: ERROR ${message}`);
      results.push({ scenario: scenario.name, line: message, pass: false, summary: `error: ${message}` });
    }
    console.log(`  (${scenario.name} took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }

  const width = Math.max(...results.map((r) => r.scenario.length));
  console.log('\nsummary');
  for (const r of results) console.log(`  ${r.scenario.padEnd(width)}  ${verdict(r.pass).padEnd(8)}  ${r.summary}`);
  // A missed target is a finding, not a crash: only a scenario that could not run fails the command.
  if (errors > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
