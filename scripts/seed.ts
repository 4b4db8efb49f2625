import { databaseFile, getDb, migrateDatabase } from "../db/client";
import { seedDemoOrganization } from "../db/seed";

const db = getDb();
migrateDatabase(db);
const { created } = await seedDemoOrganization();
console.log(
  created
    ? `Seeded the demo organisation into ${databaseFile()}`
    : `The demo organisation already exists in ${databaseFile()}; added whatever was missing.`,
);
