/** How many of the newest audit events a page's History section shows; the audit log has the rest. */
export const HISTORY_LIMIT = 25;
/** Longer change payloads are cut in the pages' event tables (the CSV export keeps them whole). */
export const HISTORY_PAYLOAD_CHARS = 2000;
