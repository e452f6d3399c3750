// The scheduler: a node-cron sweep every HEROLD_SWEEP_SECONDS that rebuilds the queue from the
// database (services/scheduling). Several schedulers may run at once.
import cron from 'node-cron';
import type { Deps } from '../src/services/deps';
import { newSweepState, sweep } from '../src/services/scheduling';

export function cronExpression(seconds: number): string {
  if (seconds < 60) return `*/${seconds} * * * * *`;
  return `0 */${Math.max(1, Math.round(seconds / 60))} * * * *`;
}

export function startScheduler(deps: Deps) {
  // Between ticks the sweep hands the queue only what is new (see sweep in services/scheduling).
  const state = newSweepState();
  const run = async () => {
    try {
      const result = await sweep(deps, state);
      if (result.enqueued > 0 || result.unconfirmed > 0) deps.log.debug(result, 'sweep');
    } catch (err) {
      // The next tick tries again; an outage of PostgreSQL or Redis must not stop the process.
      deps.log.warn({ err: (err as Error).message }, 'sweep failed');
    }
  };
  const task = cron.schedule(cronExpression(deps.config.sweepSeconds), run, { noOverlap: true, name: 'herold-sweep' });
  void run();
  return {
    async close() {
      await task.stop();
      await task.destroy();
    },
  };
}
