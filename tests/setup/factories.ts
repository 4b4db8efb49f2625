import { getDb } from "../../db/client";
import { organizations } from "../../db/schema";

let counter = 0;

/** A fresh organisation row in the test file's database (no users, no audit events). */
export function insertTestOrg(label = "org") {
  counter++;
  return getDb()
    .insert(organizations)
    .values({ slug: `${label}-${counter}`, name: `${label} ${counter}` })
    .returning()
    .get();
}
