import { getDb } from "../../../db/client";

export function checkDatabase(): boolean {
  try {
    return getDb().$client.prepare("select 1 as ok").get() !== undefined;
  } catch {
    return false;
  }
}
