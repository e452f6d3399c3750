// `npm run bench`: timing targets of QUALITY.md that are measured so far (not part of jest).
import { benchSplit } from './split';

async function main() {
  const split = await benchSplit();
  console.log(`split (3 KB release, 5 channels): median ${split.medianMs.toFixed(2)} ms CPU (target ≤ 2 ms)`);
}

void main();
