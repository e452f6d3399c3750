// `npm run scheduler`: this part alone, configured by the environment (for scaling out).
import { loadConfigOrExit, runParts } from './run';

void runParts(['scheduler'], loadConfigOrExit());
