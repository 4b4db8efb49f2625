import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { publicOnlyFetch, refusedAddress, refusedAddressIn } from "./public-address.server";

describe("refusedAddress", () => {
  it("refuses loopback, private, link-local, unique-local, CGNAT and IPv4-mapped forms; lets public unicast through", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fe80::1", "::ffff:10.0.0.1", "100.64.0.1"])
      expect(refusedAddress(address), address).not.toBeNull();
    expect(refusedAddress("::ffff:127.0.0.1")).toBe("127.0.0.1 is a loopback address");
    expect(refusedAddress("93.184.215.14")).toBeNull();
    expect(refusedAddress("2606:4700::1111")).toBeNull();
  });
});

describe("publicOnlyFetch, against a real server on 127.0.0.1", () => {
  let server: http.Server;
  let port = 0;
  let requests = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests++;
      if (req.url === "/moved") res.writeHead(302, { location: "/elsewhere" }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // Each test counts the requests it made itself.
  beforeEach(() => {
    requests = 0;
  });

  it("refuses a literal private IP up front and a name resolving to one at the lookup: no request arrives", async () => {
    const guarded = publicOnlyFetch(() => false);
    const literal = await guarded(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    expect(refusedAddressIn(literal)?.reason).toBe("127.0.0.1 is a loopback address");
    const named = await guarded(`http://localhost:${port}/`).catch((error: unknown) => error);
    expect(refusedAddressIn(named)?.reason).toMatch(/^localhost resolves to an address that is not public \(.* is a loopback address\)$/);
    expect(requests).toBe(0);
  });

  it("reaches it when private addresses are allowed, and never follows a redirect", async () => {
    const open = publicOnlyFetch(() => true);
    const answer = await open(`http://localhost:${port}/`, { headers: { accept: "application/json" } });
    expect(await answer.json()).toEqual({ ok: true });
    const moved = await open(`http://127.0.0.1:${port}/moved`);
    expect(moved.status).toBe(302);
    expect(requests).toBe(2);
  });
});
