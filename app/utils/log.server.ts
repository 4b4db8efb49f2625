import { pino, type Level, type Logger } from "pino";
import { env, type Env } from "./env.server";

/**
 * The portal's structured log (pino: one JSON object a line on stdout). The
 * server writes one line per request (scripts/server/request-log.ts); its
 * level is LOG_LEVEL, by default `info`, and `silent` under NODE_ENV=test.
 */
export function logLevel(config: Pick<Env, "LOG_LEVEL" | "NODE_ENV"> = env()): Level | "silent" {
  return config.LOG_LEVEL ?? (config.NODE_ENV === "test" ? "silent" : "info");
}

let cached: { level: string; logger: Logger } | undefined;

/** This process's logger, made again only when LOG_LEVEL changes. */
export function logger(): Logger {
  const level = logLevel();
  if (cached?.level !== level) {
    cached = { level, logger: pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }) };
  }
  return cached.logger;
}
