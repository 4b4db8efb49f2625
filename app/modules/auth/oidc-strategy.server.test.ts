import * as client from "openid-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOidcProvider, type TestProvider } from "../../../tests/setup/oidc-provider";
import type { OidcSettings } from "../../utils/env.server";
import { refusedAddressIn } from "../../utils/public-address.server";
import { OidcSignInError, organisationProviderFetch, providerConfiguration, SECRET_UNREADABLE } from "./oidc-strategy.server";

/** openid-client against a real provider (node-oidc-provider on 127.0.0.1): which fetch reaches which provider. */

let provider: TestProvider;

beforeAll(async () => {
  provider = await startOidcProvider(["https://portal.test"]);
});
afterAll(() => provider.close());
afterEach(() => {
  delete process.env.OIDC_ALLOW_PRIVATE;
});

function settings(id: string, overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    id,
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    orgSlug: "acme",
    groupsClaim: "groups",
    emailVerifiedClaim: "email_verified",
    roleMap: {},
    defaultRole: null,
    domains: ["acme.test"],
    createUsers: true,
    required: false,
    breakGlassEmail: null,
    allowHttp: true,
    redirectUri: "https://portal.test/auth/oidc/callback",
    ...overrides,
  };
}

describe("providerConfiguration", () => {
  it("keeps the public-only fetch in an organisation's provider's configuration (token and JWKS requests use it), not in the site-wide one's", async () => {
    process.env.OIDC_ALLOW_PRIVATE = "true";
    const organisation = await providerConfiguration(settings("7"));
    expect(organisation[client.customFetch]).toBe(organisationProviderFetch);
    // The same issuer and client as the site-wide provider: a configuration of its own, with plain fetch.
    const site = await providerConfiguration(settings("env"));
    expect(site).not.toBe(organisation);
    expect(site[client.customFetch]).toBeUndefined();
  });

  it("without OIDC_ALLOW_PRIVATE, refuses an organisation's provider on 127.0.0.1 before any request; the site-wide one is reached", async () => {
    const seen = provider.requests.length;
    const refused = await providerConfiguration(settings("8")).catch((error: unknown) => error);
    expect(refusedAddressIn(refused)?.reason).toBe("127.0.0.1 is a loopback address");
    expect(provider.requests.slice(seen)).toEqual([]);
    await expect(providerConfiguration(settings("env", { clientId: "site-wide" }))).resolves.toBeInstanceOf(client.Configuration);
    expect(provider.requests.slice(seen)).toEqual(["GET /.well-known/openid-configuration"]);
  });

  it("refuses a provider whose stored secret cannot be read, with words for people and 503", async () => {
    const refused = await providerConfiguration(settings("9", { clientSecret: null })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OidcSignInError);
    expect(refused).toMatchObject({ message: SECRET_UNREADABLE, status: 503 });
  });
});
