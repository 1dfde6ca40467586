/** drizzle-kit config for the PostgreSQL store: `npm run migrations:generate` writes migrations/pg. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/pg/schema.ts',
  out: './migrations/pg',
});
