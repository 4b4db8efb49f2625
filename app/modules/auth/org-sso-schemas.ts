import { z } from "zod";
import { ROLES, type Role } from "./roles";
import { confirmation, NameTextSchema } from "../../utils/validation";

/**
 * Input of an organisation's single sign-on page (/orgs/:orgSlug/admin/sso)
 * and of the site administrators' domain decisions.
 */

const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const line = (max: number, what: string) => NameTextSchema.max(max, `${what} is too long (at most ${max} characters)`);

/** The form's provider fields; `allowHttp` is OIDC_ALLOW_HTTP (local providers and the tests only). */
export function oidcProviderSchema(allowHttp: boolean) {
  return z
    .object({
      issuer: line(500, "The issuer URL")
        .min(1, "Enter the provider's issuer URL, e.g. https://login.example.com")
        .pipe(z.string().url("Enter a URL, e.g. https://login.example.com"))
        .refine((url) => url.startsWith("https://") || (allowHttp && url.startsWith("http://")), {
          message: "The issuer URL must start with https://",
        })
        .transform((url) => url.replace(/\/+$/, "")),
      clientId: line(300, "The client id").min(1, "Enter the client id the provider gave this portal"),
      /** Blank keeps the stored secret. */
      clientSecret: line(1000, "The client secret"),
      groupsClaim: line(100, "The groups claim").min(1, "Name the claim that lists a person's groups, e.g. groups"),
      mapGroup: z.preprocess(asList, z.array(line(200, "The group"))),
      mapRole: z.preprocess(asList, z.array(z.union([z.enum(ROLES), z.literal("")], { errorMap: () => ({ message: "Choose a role" }) }))),
      defaultRole: z.union([z.enum(ROLES), z.literal("")], { errorMap: () => ({ message: "Choose a role, or no membership" }) }),
      createUsers: z.literal("on").optional(),
      required: z.literal("on").optional(),
      enabled: z.literal("on").optional(),
      breakGlassUserId: z.union([z.literal(""), z.coerce.number().int().positive()]),
    })
    .superRefine((input, ctx) => {
      const seen = new Set<string>();
      input.mapGroup.forEach((group, at) => {
        const role = input.mapRole[at] ?? "";
        if (group && !role) ctx.addIssue({ code: "custom", path: ["mapRole", at], message: `Choose the role "${group}" gives` });
        if (!group && role)
          ctx.addIssue({ code: "custom", path: ["mapGroup", at], message: "Name the group, or leave the row's role empty" });
        if (group && seen.has(group)) ctx.addIssue({ code: "custom", path: ["mapGroup", at], message: `"${group}" is mapped twice` });
        seen.add(group);
      });
      if (input.required && input.breakGlassUserId === "") {
        ctx.addIssue({
          code: "custom",
          path: ["breakGlassUserId"],
          message: "Name the admin who may still use a password when single sign-on is required",
        });
      }
    })
    .transform((input) => ({
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecret: input.clientSecret || null,
      groupsClaim: input.groupsClaim,
      roleMap: Object.fromEntries(
        input.mapGroup.flatMap((group, at) => (group && input.mapRole[at] ? [[group, input.mapRole[at] as Role]] : [])),
      ) as Record<string, Role>,
      defaultRole: input.defaultRole || null,
      createUsers: input.createUsers === "on",
      required: input.required === "on",
      enabled: input.enabled === "on",
      breakGlassUserId: input.breakGlassUserId === "" ? null : input.breakGlassUserId,
    }));
}

/** The provider form as the https-only production portal validates it. */
export const OidcProviderSchema = oidcProviderSchema(false);
export type OidcProviderInput = z.output<typeof OidcProviderSchema>;

/** "Check discovery": the issuer typed in the form, before saving. */
export const DiscoveryCheckSchema = z.object({
  issuer: line(500, "The issuer URL").pipe(z.string().url("Enter a URL, e.g. https://login.example.com")),
});

/** An email domain: lower case, labels of letters, digits and hyphens, at least one dot. */
export const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "The domain is too long")
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "Enter a domain such as example.com (without @)");

export const DomainClaimSchema = z.object({ domain: DomainSchema });

/** The claim a button acts on (withdraw, approve, reject, revoke). */
export const DomainClaimIdSchema = z.object({ claimId: z.coerce.number().int().positive() });

/** A site administrator's decision: confirmed, since an approved domain sends its people to that organisation's provider. */
export const DomainDecisionSchema = DomainClaimIdSchema.extend({
  confirm: confirmation("Tick the box to confirm the decision"),
});

/** A site administrator revokes an approval: confirmed, since the domain's people then sign in with their password. */
export const DomainRevocationSchema = DomainClaimIdSchema.extend({
  confirm: confirmation("Tick the box to confirm: the domain's people then sign in with their password"),
});
