import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionResult, SelectField, TextField } from "~/components/forms";
import { PendingInvitations, toPendingInvitationItems } from "~/components/pending-invitations";
import { AccountRenameSchema, PasswordChangeSchema, SessionEndSchema, SignOutEverywhereSchema } from "~/modules/auth/account-schemas";
import { accountOverview, changePassword, endOwnSession, renameAccount } from "~/modules/auth/account.server";
import { listPendingInvitationsForUser } from "~/modules/auth/invitations.server";
import { ROLE_LABELS } from "~/modules/auth/roles";
import { describeUserAgent } from "~/modules/auth/user-agent";
import { currentSession, destroyAllUserSessions, requireUser } from "~/modules/auth/session.server";
import { DELIVERY_MODE_LABELS, DELIVERY_MODES } from "~/modules/notifications/notification-constants";
import { NotificationChoicesSchema } from "~/modules/notifications/notification-schemas";
import { notificationChoices, saveNotificationChoices } from "~/modules/notifications/preferences.server";
import { formatDateTime } from "~/utils/format";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Your account · AI Maturity & Governance Portal" }];

/** The signed-in person's own account: name, password, sessions, failed sign-ins, memberships, invitations. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const session = await currentSession(request);
  const overview = accountOverview(user.id);
  const iso = (date: Date) => date.toISOString();
  return {
    user: overview.user,
    currentSessionId: session?.sessionId ?? null,
    sessions: overview.sessions.map((s) => ({
      ...s,
      createdAt: iso(s.createdAt),
      lastSeenAt: iso(s.lastSeenAt),
      expiresAt: iso(s.expiresAt),
    })),
    failedSignIns: overview.failedSignIns.map((f) => ({ ...f, at: iso(f.at) })),
    memberships: overview.memberships,
    invitations: toPendingInvitationItems(listPendingInvitationsForUser(user)),
    notificationChoices: notificationChoices(user.id),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const session = await currentSession(request);
  const actor = { type: "user", id: user.id, label: user.email } as const;
  return runIntentAction(await readFormData(request), {
    rename: intent(AccountRenameSchema, (input) => renameAccount(user.id, input.name, actor), "Name saved."),
    "change-password": intent(
      PasswordChangeSchema,
      (input) => changePassword(user.id, input, session?.sessionId ?? 0, actor),
      "Password changed. Your other sessions have ended.",
    ),
    notifications: intent(
      NotificationChoicesSchema,
      (input) => saveNotificationChoices(user.id, input, actor),
      "Notification choices saved.",
    ),
    "end-session": intent(SessionEndSchema, (input) => endOwnSession(user.id, input.sessionId, actor), "Session ended."),
    "sign-out-everywhere": intent(
      SignOutEverywhereSchema,
      () => destroyAllUserSessions(request, "/login"),
      (response) => response,
    ),
  });
}

export default function Account() {
  const { user, currentSessionId, sessions, failedSignIns, memberships, invitations, notificationChoices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (name: string): Record<string, string | undefined> =>
    result && !result.ok && result.intent === name ? (result.errors ?? {}) : {};
  const renameErrors = errorsFor("rename");
  const passwordErrors = errorsFor("change-password");
  return (
    <div className="account-page">
      <h1>Your account</h1>
      <ActionResult result={result} />

      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Your name</h2>
        <p className="muted">
          Signed in as <strong>{user.email}</strong>
        </p>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="rename" />
          <TextField label="Name" name="name" autoComplete="name" required defaultValue={user.name} error={renameErrors.name} />
          <button type="submit">Save name</button>
        </Form>
      </section>

      <section className="card" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="change-password" />
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            error={passwordErrors.currentPassword}
          />
          <TextField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            hint="At least 10 characters, mixing two of: lower case, upper case, digits, symbols."
            error={passwordErrors.newPassword}
          />
          <TextField
            label="Repeat the new password"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            error={passwordErrors.confirmPassword}
          />
          <button type="submit">Change password</button>
          <p className="hint">Changing it signs you out everywhere else.</p>
        </Form>
      </section>

      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        {/* One card per session, as the invitations below: its facts stack, so a phone shows them whole. */}
        <ul className="account-list" aria-label="Your active sessions">
          {sessions.map((s) => (
            <li key={s.id} className="card">
              <dl className="kv">
                <dt>Signed in</dt>
                <dd>{formatDateTime(s.createdAt)}</dd>
                <dt>Last active</dt>
                <dd>{formatDateTime(s.lastSeenAt)}</dd>
                <dt>From</dt>
                <dd>
                  <ClientWords address={s.clientAddress} userAgent={s.userAgent} />
                </dd>
              </dl>
              {s.id === currentSessionId ? (
                <p>
                  <strong>This session</strong>
                </p>
              ) : (
                <Form method="post">
                  <input type="hidden" name="intent" value="end-session" />
                  <input type="hidden" name="sessionId" value={s.id} />
                  <button type="submit" className="small danger" aria-label={`End the session signed in ${formatDateTime(s.createdAt)}`}>
                    End
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
        <Form method="post" className="account-sign-out">
          <input type="hidden" name="intent" value="sign-out-everywhere" />
          <input type="hidden" name="sessions" value="all" />
          <button type="submit" className="danger">
            Sign out everywhere
          </button>
          <p className="hint">Ends all of the sessions above, this one too.</p>
        </Form>
      </section>

      <section className="card" aria-labelledby="failures-title">
        <h2 id="failures-title">Recent failed sign-ins</h2>
        {failedSignIns.length === 0 ? (
          <p className="muted">No failed sign-ins to your account in the last 30 days.</p>
        ) : (
          <ul className="account-list" aria-label="Failed sign-ins to your account in the last 30 days">
            {failedSignIns.map((f, i) => (
              <li key={`${f.at}-${i}`} className="card">
                <dl className="kv">
                  <dt>When</dt>
                  <dd>{formatDateTime(f.at)}</dd>
                  <dt>From</dt>
                  <dd>
                    <ClientWords address={f.address} userAgent={f.userAgent} />
                  </dd>
                  <dt>Why</dt>
                  <dd>{f.reason}</dd>
                </dl>
              </li>
            ))}
          </ul>
        )}
        <p className="hint">If you do not recognise these, change your password and sign out everywhere.</p>
      </section>

      <section className="card" aria-labelledby="notifications-title">
        <h2 id="notifications-title">Notifications</h2>
        <p className="hint">
          Everything shows in your inbox in the portal. Choose which of it also reaches you by email, at once or in a weekly digest on
          Monday morning. Messages about your account (invitations, new sign-ins, password resets) always come by email.
        </p>
        <Form method="post" className="notification-choices">
          <input type="hidden" name="intent" value="notifications" />
          {notificationChoices.map((choice) => (
            <SelectField
              key={choice.category}
              label={choice.label}
              name={choice.category}
              defaultValue={choice.mode}
              error={errorsFor("notifications")[choice.category]}
              options={DELIVERY_MODES.map((mode) => ({ value: mode, label: DELIVERY_MODE_LABELS[mode] }))}
            />
          ))}
          <button type="submit">Save notification choices</button>
        </Form>
      </section>

      <section className="card" aria-labelledby="memberships-title">
        <h2 id="memberships-title">Your organisations</h2>
        {memberships.length === 0 ? (
          <p className="muted">You do not belong to an organisation yet.</p>
        ) : (
          <ul>
            {memberships.map((m) => (
              <li key={m.id}>
                <Link to={`/orgs/${m.slug}`}>{m.name}</Link> <span className="role-badge">{ROLE_LABELS[m.role]}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="invitations-title">
        <h2 id="invitations-title">Invitations</h2>
        <PendingInvitations invitations={invitations} />
      </section>
    </div>
  );
}

/** Where a session or a failed sign-in came from: the address, and the browser in words (the full agent as a tooltip). */
function ClientWords({ address, userAgent }: { address: string; userAgent: string }) {
  return (
    <>
      <span className="client-address">{address || "unknown address"}</span>
      {userAgent ? (
        <span className="muted" title={userAgent}>
          {" "}
          · {describeUserAgent(userAgent)}
        </span>
      ) : null}
    </>
  );
}
