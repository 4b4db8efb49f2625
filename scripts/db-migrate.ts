import { databaseFile, getDb, migrateDatabase } from "../db/client";

migrateDatabase(getDb());
console.log(`Migrations applied to ${databaseFile()}`);
