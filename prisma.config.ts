// Prisma runs fully offline here: the JavaScript schema engine talks to PostgreSQL
// through the pg driver adapter, so no native engine binary is ever downloaded.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const NAME_OID = 19;
const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * The schema engine's introspection returns catalog columns of type `name` and `"char"`,
 * which the pg adapter cannot deserialize (prisma/orm#27403). Both are plain text, so we
 * report them as text.
 */
class CatalogTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, res?: pg.QueryResult) => last(err, res && asText(res));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args);
    return result && typeof result.then === 'function' ? result.then(asText) : result;
  }
}

function asText(res: pg.QueryResult): pg.QueryResult {
  for (const field of res.fields ?? []) {
    if (field.dataTypeID === NAME_OID || field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  }
  return res;
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error('DATABASE_URL is not set');
    const pool = new pg.Pool({ connectionString, Client: CatalogTextClient });
    return new PrismaPg(pool, { disposeExternalPool: true });
  },
});
