import dns from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";

/**
 * Requests the portal makes to addresses other people chose (webhook receivers, organisations' identity
 * providers) reach the public internet only: no server-side request forgery into the portal's own network.
 *
 * The refusal sits where it matters, at the address the socket connects to. The connection's DNS lookup is
 * ours and fails for any address that is not public unicast (private, loopback, link-local, unique-local,
 * CGNAT, multicast, reserved, and the IPv4-mapped forms of those), so a name that resolves to 127.0.0.1, or
 * re-resolves between a check and the connection, cannot reach inside; a literal IP in the URL skips the
 * lookup and is checked up front; and the connected socket's remote address is checked once more. Each user
 * passes whether private addresses are allowed (read on every use: WEBHOOK_ALLOW_PRIVATE, OIDC_ALLOW_PRIVATE).
 */

/** Whether private addresses may be reached right now. */
export type AllowPrivate = () => boolean;

/** Why an address may not be reached, or null when it may. */
export function refusedAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes the IPv4 address it maps
  const range = parsed.range();
  return range === "unicast" ? null : `${parsed.toString()} is a ${range} address`;
}

/** A request refused because its address is not public; `reason` says which address and why, in words. */
export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
  }
}

/** The RefusedAddressError behind an error (fetch wraps what its connection threw in `cause`), or null. */
export function refusedAddressIn(error: unknown): RefusedAddressError | null {
  for (let at = error, depth = 0; at && depth < 5; at = (at as { cause?: unknown }).cause, depth++) {
    if (at instanceof RefusedAddressError) return at;
  }
  return null;
}

/** dns.lookup, refusing every answer that is not a public address (unless private ones are allowed). */
export function publicOnlyLookup(allowPrivate: AllowPrivate): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list = addresses as dns.LookupAddress[];
      const usable = allowPrivate() ? list : list.filter((a) => refusedAddress(a.address) === null);
      if (usable.length === 0) {
        const why = list.map((a) => refusedAddress(a.address)).find(Boolean) ?? "no address";
        return callback(new RefusedAddressError(`${hostname} resolves to an address that is not public (${why})`), "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

/** Why a URL whose host is a literal IP address (which skips the lookup) may not be reached, or null. */
export function refusedLiteral(url: URL, allowPrivate: AllowPrivate): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(host) || allowPrivate()) return null;
  return refusedAddress(host);
}

/**
 * Why a URL is known not to reach the public internet before any lookup, or null: a literal IP that is not
 * public, or the name localhost (RFC 6761: always loopback). For refusing a receiver when it is registered;
 * a name that resolves to a private address is still refused when it is used.
 */
export function refusedByItsHost(url: URL, allowPrivate: AllowPrivate): string | null {
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!allowPrivate() && (host === "localhost" || host.endsWith(".localhost"))) return `${host} is a loopback name`;
  return refusedLiteral(url, allowPrivate);
}

/** Why a connected socket's remote address may not be used, or null (an unknown address: the socket is gone). */
export function refusedRemote(remoteAddress: string | undefined, allowPrivate: AllowPrivate): string | null {
  if (!remoteAddress || allowPrivate()) return null;
  const why = refusedAddress(remoteAddress);
  return why && `connected to ${why}`;
}

/** What `publicOnlyFetch` takes: fetch's options but `redirect` (never followed). The body: any of fetch's bodies. */
export type PublicFetchInit = { method?: string; headers?: HeadersInit; body?: unknown; signal?: AbortSignal | null };

export type PublicFetch = (input: string | URL, init?: PublicFetchInit) => Promise<Response>;

/**
 * A fetch that reaches public addresses only (see above) and never follows a redirect (a 3xx comes back as
 * it is). A refused request rejects with a TypeError whose `cause` is the RefusedAddressError, or with the
 * RefusedAddressError itself for a literal IP: `refusedAddressIn` finds it.
 */
export function publicOnlyFetch(allowPrivate: AllowPrivate): PublicFetch {
  const connect = buildConnector({ lookup: publicOnlyLookup(allowPrivate), timeout: 10_000 });
  const dispatcher = new Agent({
    // Once per socket: a kept-alive connection was checked when it connected.
    connect: (options, callback) =>
      connect(options, (error, socket) => {
        if (error) return callback(error, null);
        const why = refusedRemote(socket.remoteAddress, allowPrivate);
        if (!why) return callback(null, socket);
        socket.destroy();
        callback(new RefusedAddressError(why), null);
      }),
  });
  return async (input, init = {}) => {
    const url = new URL(input);
    const why = refusedLiteral(url, allowPrivate);
    if (why) throw new RefusedAddressError(why);
    // undici's Response is the Fetch API's, as Node's own fetch (undici too) answers.
    return (await undiciFetch(url, { ...(init as UndiciRequestInit), redirect: "manual", dispatcher })) as unknown as Response;
  };
}
