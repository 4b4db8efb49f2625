import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { isSsoRequiredRefusal } from "~/modules/auth/sso-policy";
import { SsoRequired } from "./sso-required";

const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: "Bad request", text: "The request could not be understood." },
  403: { title: "Not allowed", text: "Your role in this organisation does not allow this." },
  404: { title: "Not found", text: "There is nothing here, or you do not have access to it." },
  409: { title: "Conflict", text: "This clashes with the current state of things." },
  413: { title: "Too large", text: "The upload is larger than the portal accepts." },
  429: { title: "Too many attempts", text: "Please wait a few minutes and try again." },
};

/** The one error view: thrown 403/404 responses and unexpected errors alike. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  if (isRouteErrorResponse(error) && status === 403 && isSsoRequiredRefusal(error.data)) return <SsoRequired refusal={error.data} />;
  const known = MESSAGES[status];
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" && error.data && status < 500 ? error.data : null;
  if (status >= 500) console.error(error);
  return (
    <section className="error-page" role="alert" aria-labelledby="error-title">
      <p className="error-code">{status}</p>
      <h1 id="error-title">{known?.title ?? "Something went wrong"}</h1>
      <p>{detail ?? known?.text ?? "An unexpected error occurred. It has been logged; please try again."}</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </section>
  );
}
