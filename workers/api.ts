// The HTTP API as a startable part.
import { buildApp } from '../src/http/app';
import type { Deps } from '../src/services/deps';

export async function startApi(deps: Deps) {
  const app = await buildApp(deps);
  await app.listen({ port: deps.config.port, host: deps.config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.port;
  return {
    app,
    port,
    async close() {
      await app.close();
    },
  };
}
