// `npm run migrate -w frontend`: create or update Better Auth's tables (user,
// session, account, verification, jwks) in DATABASE_URL, then exit. The server
// does the same at start; this is for running it as a separate step.
import pg from "pg";
import { migrateAuthSchema } from "../src/lib/auth-schema.js";
import { ConfigError, readConfig } from "../src/lib/config.js";

try {
  const config = readConfig(process.env);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2, connectionTimeoutMillis: 10_000 });
  try {
    const changed = await migrateAuthSchema(config, pool);
    console.log(changed.length ? `migrated: ${changed.join(", ")}` : "auth schema already up to date");
  } finally {
    await pool.end();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
