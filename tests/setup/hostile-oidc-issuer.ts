/**
 * A hostile OpenID Provider for the single sign-on tests: discovery, a JWKS
 * and an authorization endpoint like a real one, but its token endpoint
 * answers with ID tokens the test forges (signed with `jose`): the wrong
 * audience, expired, another nonce, a signature of another key, someone
 * else's email. What a conforming provider never sends, through the portal's
 * real callback.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

/** What the portal asked for at the authorization endpoint, for the forger. */
export type Authorization = { nonce: string; clientId: string };

/** Claims to sign (`undefined` removes a default), and whether to sign with a key the JWKS does not publish. */
export type Forgery = { claims: JWTPayload; foreignKey?: boolean };

export type HostileIssuer = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the next token endpoint answer carries, from what the portal asked for. */
  forge: (forger: (asked: Authorization) => Forgery) => void;
  close: () => Promise<void>;
};

export async function startHostileIssuer(): Promise<HostileIssuer> {
  const own = await generateKeyPair("RS256");
  const foreign = await generateKeyPair("RS256");
  const publicJwk = { ...(await exportJWK(own.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const codes = new Map<string, Authorization>();
  let forger: (asked: Authorization) => Forgery = () => {
    throw new Error("no forgery set");
  };
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "portal-hostile";
  const json = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(res, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") return json(res, { keys: [publicJwk] });
    if (url.pathname === "/authorize") {
      const code = `code-${codes.size + 1}`;
      codes.set(code, { nonce: url.searchParams.get("nonce") ?? "", clientId: url.searchParams.get("client_id") ?? "" });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const asked = codes.get(new URLSearchParams(body).get("code") ?? "");
        if (!asked) {
          res.writeHead(400, { "content-type": "application/json" });
          return res.end(JSON.stringify({ error: "invalid_grant" }));
        }
        const { claims, foreignKey } = forger(asked);
        const now = Math.floor(Date.now() / 1000);
        const payload = Object.fromEntries(
          Object.entries({ iss: issuer, aud: clientId, iat: now, exp: now + 300, nonce: asked.nonce, ...claims }).filter(
            ([, value]) => value !== undefined,
          ),
        );
        void new SignJWT(payload)
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .sign(foreignKey ? foreign.privateKey : own.privateKey)
          .then((idToken) => json(res, { access_token: "opaque", token_type: "Bearer", expires_in: 300, id_token: idToken }));
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return {
    issuer,
    clientId,
    clientSecret: "hostile-secret",
    forge: (next) => (forger = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
