import { buildOpenApiDocument } from "~/modules/http/openapi";

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const loader = () => {
  document ??= buildOpenApiDocument();
  return Response.json(document, { headers: { "Cache-Control": "public, max-age=300" } });
};
