import { apiError } from "~/modules/http/api.server";

/** Unknown API paths answer in the API's JSON error shape, not with an HTML page. */
export const loader = () => apiError(404, "not_found", "No such API endpoint");
export const action = () => apiError(404, "not_found", "No such API endpoint");
