import { parseArgs } from "node:util";

/** Shared by every CLI: parse `--flag value` options and fail with one clear line. */
export function cliOptions<const T extends Record<string, { type: "string" | "boolean" }>>(options: T) {
  try {
    return parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    fail((error as Error).message);
  }
}

export function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}
