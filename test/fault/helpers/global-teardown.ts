// Stops the fault suite's own PostgreSQL and Redis and removes their directory.
import { faultServices, stopServices } from './services';

export default async function globalTeardown(): Promise<void> {
  await stopServices(faultServices());
}
