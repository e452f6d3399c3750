// `npm run serve`: API, worker and scheduler in one process, configured only by the environment.
import { loadConfigOrExit, runParts } from './run';

void runParts(['api', 'worker', 'scheduler'], loadConfigOrExit());
