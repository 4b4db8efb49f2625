import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { withQueryCounter } from "../../../db/query-count";
import { memberships, oidcProviders, orgDomains, organizations, users } from "../../../db/schema";
import type { Role } from "./roles";
import { passwordSignInRefusal } from "./sso-password.server";

/** The organisations' own providers' rule (the site-wide one is tested over HTTP in tests/integration/oidc-required.test.ts). */
describe("passwordSignInRefusal for an organisation whose own provider requires single sign-on", () => {
  const REFUSAL = "Golf signs in through its identity provider: continue with single sign-on.";
  type Person = { id: number; email: string; isSiteAdmin: boolean };
  const people: Record<string, Person> = {};

  beforeAll(() => {
    const db = getDb();
    const org = (slug: string, name: string) => db.insert(organizations).values({ slug, name }).returning().get().id;
    const [golf, hotel, india, juliet] = [org("golf", "Golf"), org("hotel", "Hotel"), org("india", "India"), org("juliet", "Juliet")];
    const person = (login: string, domain: string, orgs: Array<[number, Role]>, isSiteAdmin = false) => {
      const email = `${login}@${domain}`;
      const id = db.insert(users).values({ email, name: login, passwordHash: "x", isSiteAdmin }).returning().get().id;
      for (const [orgId, role] of orgs) db.insert(memberships).values({ orgId, userId: id, role }).run();
      people[login] = { id, email, isSiteAdmin };
      return id;
    };
    person("solo", "golf.example", [[golf, "team"]]);
    const keeper = person("keeper", "golf.example", [[golf, "admin"]]);
    person("both", "golf.example", [
      [golf, "team"],
      [hotel, "auditor"],
    ]);
    // India requires single sign-on through its own provider too, which cannot sign in golf.example.
    person("strict", "golf.example", [
      [golf, "team"],
      [india, "team"],
    ]);
    person("nobody", "golf.example", []);
    person("root", "golf.example", [[golf, "team"]], true);
    person("pending", "juliet.example", [[juliet, "team"]]);
    person("plain", "hotel.example", [[hotel, "team"]]);
    const provider = (orgId: number, issuer: string, breakGlassUserId: number) =>
      db
        .insert(oidcProviders)
        .values({
          orgId,
          issuer,
          clientId: "portal",
          sealedClientSecret: "sealed",
          required: true,
          breakGlassUserId,
          updatedAt: new Date(),
          updatedByLabel: "test",
        })
        .run();
    provider(golf, "https://idp.golf.example", keeper);
    provider(india, "https://idp.india.example", keeper);
    provider(juliet, "https://idp.juliet.example", people.pending!.id);
    db.insert(orgDomains).values({ orgId: golf, domain: "golf.example", status: "approved", requestedById: keeper }).run();
    // A claim not approved yet does nothing.
    db.insert(orgDomains).values({ orgId: juliet, domain: "juliet.example", status: "pending", requestedById: keeper }).run();
  });

  const refusal = (login: string) => passwordSignInRefusal(people[login]!);

  it("refuses someone of the domain whose organisations a password opens none of", () => {
    expect(refusal("solo")).toBe(REFUSAL);
    expect(refusal("strict")).toBe(REFUSAL);
    expect(refusal("nobody")).toBe(REFUSAL);
  });

  it("lets through the break-glass administrator, a member of an organisation without the rule, and site administrators", () => {
    expect(refusal("keeper")).toBeNull();
    expect(refusal("both")).toBeNull();
    expect(refusal("root")).toBeNull();
  });

  it("lets through people of domains no organisation requiring single sign-on holds approved", () => {
    expect(refusal("plain")).toBeNull();
    expect(refusal("pending")).toBeNull();
  });

  it("costs one query outside such a domain, two inside, none for a site administrator", () => {
    const queries = (login: string) =>
      withQueryCounter((counter) => {
        refusal(login);
        return counter.queries;
      });
    expect(queries("plain")).toBe(1);
    expect(queries("solo")).toBe(2);
    expect(queries("root")).toBe(0);
  });
});
