import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { readUnsubscribeToken } from "~/modules/notifications/email.server";
import { CATEGORY_LABELS } from "~/modules/notifications/notification-constants";
import { unsubscribe } from "~/modules/notifications/preferences.server";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Stop these emails · AI Maturity & Governance Portal" }];

/**
 * The unsubscribe link of every email. The link names the person and the
 * category, signed, so it works without signing in. Opening it only asks
 * (mail scanners open links); the button, or a mail client's one-click POST
 * (RFC 8058), stops the emails. The notifications stay in the portal's inbox.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const target = readUnsubscribeToken(params.token ?? "");
  if (!target) return data({ category: null }, { status: 404 });
  return { category: CATEGORY_LABELS[target.category] };
}

export async function action({ params }: ActionFunctionArgs) {
  const target = readUnsubscribeToken(params.token ?? "");
  if (!target) throw notFound("This unsubscribe link is not valid.");
  unsubscribe(target.userId, target.category);
  return { done: true };
}

export default function Unsubscribe() {
  const { category } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="card auth-card">
      <h1>Stop these emails</h1>
      {!category ? (
        <p>This unsubscribe link is not valid. Choose what you receive on your account page.</p>
      ) : result?.done ? (
        <p role="status">
          Done: no more emails about <strong>{category.toLowerCase()}</strong>. You still see them in the portal, and you can turn them back
          on from your <Link to="/account#notifications-title">account page</Link>.
        </p>
      ) : (
        <Form method="post">
          <p>
            Stop emails about <strong>{category.toLowerCase()}</strong>? You will still see them in the portal.
          </p>
          <button type="submit">Stop these emails</button>
        </Form>
      )}
    </div>
  );
}
