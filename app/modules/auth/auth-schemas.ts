import { z } from "zod";
import { confirmation, optionalField, requiredNameText } from "../../utils/validation";
import { API_SCOPES } from "./api-scopes";
import { ROLES } from "./roles";

export const EmailSchema = z
  .string({ required_error: "Email is required" })
  .trim()
  .toLowerCase()
  .min(3, "Email is required")
  .max(254, "Email is too long")
  .email("Enter a valid email address");

/** Weak passwords are refused everywhere: UI, CLI and seed overrides. */
export const PasswordSchema = z
  .string({ required_error: "Password is required" })
  .min(10, "Use at least 10 characters")
  .max(200, "Use at most 200 characters")
  .refine(
    (value) => [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length >= 2,
    "Mix at least two of: lower case, upper case, digits, symbols",
  )
  .refine((value) => new Set(value).size >= 5, "Use more varied characters");

export const LoginSchema = z.object({
  email: EmailSchema,
  password: z.string({ required_error: "Password is required" }).min(1, "Password is required").max(200),
  redirectTo: z.string().optional(),
});

/** The sign-in page's first step when single sign-on is set up: the email decides between the provider and a password. */
export const SignInEmailSchema = z.object({
  email: EmailSchema,
  redirectTo: z.string().optional(),
});

/** Proving an existing account before a single sign-on identity is linked to it. */
export const SsoLinkSchema = z.object({
  password: z.string({ required_error: "Password is required" }).min(1, "Password is required").max(200),
});

export const RoleSchema = z.enum(ROLES, { errorMap: () => ({ message: "Choose a role" }) });

export const OrgSlugSchema = z
  .string({ required_error: "Slug is required" })
  .trim()
  .toLowerCase()
  .min(2, "Use at least 2 characters")
  .max(48, "Use at most 48 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single hyphens")
  .refine((slug) => !RESERVED_ORG_SLUGS.includes(slug), "This slug is reserved; choose another");

/** Paths under /orgs that are pages, not organisations. */
const RESERVED_ORG_SLUGS = ["compare", "new", "admin"];

export const PersonNameSchema = requiredNameText("Name", 1).max(120, "Name is too long");

/**
 * A site administrator creates an organisation (the site admin page): its
 * first administrator is invited by email and joins by accepting, so nobody
 * types another person's password.
 */
export const OrganizationCreateSchema = z.object({
  slug: OrgSlugSchema,
  name: requiredNameText("Name", 2).max(120, "Name is too long"),
  adminEmail: EmailSchema,
});
export type OrganizationCreate = z.infer<typeof OrganizationCreateSchema>;

/**
 * `npm run org:create`: the page's fields, and the operator's way to start an
 * empty installation: with `adminPassword`, an email that has no account yet
 * gets one with that password (and `adminName`) as the administrator.
 */
export const OrganizationCreateCommandSchema = OrganizationCreateSchema.extend({
  adminName: optionalField(PersonNameSchema),
  adminPassword: optionalField(PasswordSchema),
});
export type OrganizationCreateCommand = z.infer<typeof OrganizationCreateCommandSchema>;

/** An admin invites a person by email; nothing about an account behind it is looked up or shown. */
export const InvitationCreateSchema = z.object({
  email: EmailSchema,
  role: RoleSchema,
});

/** A site administrator invites an administrator into an organisation that has none (its first invitation was never accepted). */
export const OrganizationAdminInviteSchema = z.object({
  orgId: z.coerce.number().int().positive(),
  email: EmailSchema,
});

/** Accepting one invitation. */
export const InvitationIdSchema = z.object({
  invitationId: z.coerce.number().int().positive(),
});

const DECLINE_CONFIRMATION = "Tick the box to confirm: you do not join, and only a new invitation can change that";

/** Declining closes the invitation for good (joining later takes a new one): so it is confirmed. */
export const InvitationDeclineSchema = InvitationIdSchema.extend({ confirm: confirmation(DECLINE_CONFIRMATION) });

/** Declining through the link, which names the invitation itself. */
export const InvitationLinkDeclineSchema = z.object({ confirm: confirmation(DECLINE_CONFIRMATION) });

/** Revoking stops the link at once and for good (the person needs a new invitation): so it is confirmed. */
export const InvitationRevokeSchema = InvitationIdSchema.extend({
  confirm: confirmation("Tick the box to confirm: the link stops working at once"),
});

/** A new person joining through an invitation link chooses their name and password. */
export const InvitationAccountSchema = z
  .object({
    name: PersonNameSchema,
    password: PasswordSchema,
    confirmPassword: z.string({ required_error: "Type the password again" }).max(200),
  })
  .refine((input) => input.password === input.confirmPassword, {
    message: "The two passwords differ",
    path: ["confirmPassword"],
  });

export const RoleChangeSchema = z.object({
  userId: z.coerce.number().int().positive(),
  role: RoleSchema,
});

/** Removing someone takes their access at once; coming back needs a new invitation they accept: so it is confirmed. */
export const MemberRemoveSchema = z.object({
  userId: z.coerce.number().int().positive(),
  confirm: confirmation("Tick the box to confirm: they lose access to this organisation at once"),
});

/** Deactivation closes the account everywhere and cannot be undone in the portal: so it is confirmed. */
export const UserDeactivateSchema = z.object({
  userId: z.coerce.number().int().positive(),
  confirm: confirmation("Tick the box to confirm: the account is closed for good and its sessions end"),
});

/** Revoking stops every pipeline that uses the token at once, for good: so it is confirmed. */
export const ApiTokenRevokeSchema = z.object({
  tokenId: z.coerce.number().int().positive(),
  confirm: confirmation("Tick the box to confirm: whatever uses this token is refused from now on"),
});

export const ApiTokenCreateSchema = z.object({
  name: requiredNameText("Name", 2, "Name the token after what uses it").max(80, "Use at most 80 characters"),
  scopes: z.preprocess(
    (value) =>
      value === undefined
        ? []
        : typeof value === "string"
          ? value
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : value,
    z
      .array(z.enum(API_SCOPES, { errorMap: () => ({ message: `Scopes are: ${API_SCOPES.join(", ")}` }) }))
      .min(1, "Choose at least one scope")
      .transform((scopes) => [...new Set(scopes)]),
  ),
});
