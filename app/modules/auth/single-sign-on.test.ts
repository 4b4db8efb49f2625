import { describe, expect, it } from "vitest";
import { ENV_ROLES } from "../../utils/env.server";
import { ROLES } from "./roles";
import { emailDomain, groupsOf, isSsoEmail, roleForGroups } from "./single-sign-on";

const map = { "ml-ethics": "ethics", "ml-leads": "leadership", "ml-eng": "team", "ml-audit": "auditor" } as const;

describe("roleForGroups", () => {
  it("gives the mapped role with the most rights among several groups", () => {
    expect(roleForGroups(["ml-eng", "ml-leads", "ml-ethics"], map, null)).toBe("leadership");
    expect(roleForGroups(["ml-audit", "ml-eng"], map, null)).toBe("team");
    expect(roleForGroups(["ml-ethics", "ml-audit"], map, null)).toBe("ethics");
  });

  it("falls back to the default role, or to no membership without one", () => {
    expect(roleForGroups(["sales"], map, "auditor")).toBe("auditor");
    expect(roleForGroups([], map, null)).toBeNull();
    // A group named like an object's own property is no mapping.
    expect(roleForGroups(["constructor", "__proto__"], map, null)).toBeNull();
  });

  it("ranks the same roles the environment accepts", () => {
    expect([...ENV_ROLES]).toEqual([...ROLES]);
  });
});

describe("emails and groups", () => {
  it("matches a domain case-insensitively, and only the part after the last @", () => {
    expect(emailDomain("Ada@Example.COM")).toBe("example.com");
    expect(isSsoEmail("ada@example.com", ["example.com"])).toBe(true);
    expect(isSsoEmail("ada@sub.example.com", ["example.com"])).toBe(false);
    expect(isSsoEmail("example.com", ["example.com"])).toBe(false);
  });

  it("reads a groups claim that is a list or a single string", () => {
    expect(groupsOf(["a", 1, "b"])).toEqual(["a", "b"]);
    expect(groupsOf("a")).toEqual(["a"]);
    expect(groupsOf({ a: 1 })).toEqual([]);
  });
});
