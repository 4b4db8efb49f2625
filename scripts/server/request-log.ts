import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";

/**
 * One log line per request: `{"level":30,"time":…,"pid":…,"reqId":…,"method":"GET",
 * "path":"/orgs/demo","status":200,"ms":7.4,"client":"198.51.100.7","msg":"request"}`. The path carries no
 * secret: values of query parameters whose names suggest one (token, password,
 * key, code, …) and the token of an invitation link are replaced by `[redacted]`.
 * The request id is answered in `X-Request-Id` and handed on to the app.
 */

const SECRET_PARAMETER = /token|secret|passw|key|code|sig|auth|session|otp|nonce|credential/i;
/** Path segments that are themselves secrets: `/invitations/<token>` (an invitation link sets a password). */
const SECRET_SEGMENT = /^(\/invitations\/)[^/]+/;
const MAX_PATH = 1_000;

export const REDACTED = "[redacted]";

/** The request target as logged: secrets in the query and path replaced, at most 1,000 characters. */
export function loggedPath(url: string): string {
  const queryStart = url.indexOf("?");
  const pathname = (queryStart < 0 ? url : url.slice(0, queryStart)).replace(SECRET_SEGMENT, `$1${REDACTED}`);
  if (queryStart < 0) return pathname.slice(0, MAX_PATH);
  const query = url
    .slice(queryStart + 1)
    .split("&")
    .map((pair) => {
      const separator = pair.indexOf("=");
      if (separator < 0) return pair;
      const name = pair.slice(0, separator);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // a malformed name is matched as sent
      }
      return SECRET_PARAMETER.test(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join("&");
  return `${pathname}?${query}`.slice(0, MAX_PATH);
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The id a trusted proxy in front gave the request (`X-Request-Id`), else a new one. */
export function requestIdFor(incoming: string | undefined, { trustProxy }: { trustProxy: boolean }): string {
  return trustProxy && incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Express middleware writing the request's line to `logger` once it is answered (or abandoned). */
export function requestLog(logger: () => Logger, { trustProxy }: { trustProxy: boolean }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const reqId = requestIdFor(req.get("x-request-id"), { trustProxy });
    req.headers["x-request-id"] = reqId;
    res.setHeader("X-Request-Id", reqId);
    let logged = false;
    const write = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      const line = {
        reqId,
        method: req.method,
        path: loggedPath(req.originalUrl),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        // The address sign-in throttling counts: X-Forwarded-For read as TRUST_PROXY says.
        client: req.ip ?? req.socket.remoteAddress,
        ...(aborted ? { aborted: true } : {}),
      };
      if (aborted || res.statusCode >= 500) logger().warn(line, "request");
      else logger().info(line, "request");
    };
    res.once("finish", () => write(false));
    res.once("close", () => write(!res.writableFinished));
    next();
  };
}
