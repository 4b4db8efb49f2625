/** How many of the newest audit events a page's History section shows; the audit log has the rest. */
export const HISTORY_LIMIT = 25;
/** Longer change payloads are cut in History sections (the audit log and its CSV keep them whole). */
export const HISTORY_PAYLOAD_CHARS = 600;
