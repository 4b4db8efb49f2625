/**
 * Where the header's "Skip to content" link leads on an organisation's pages: the page's own content, past the
 * organisation's navigation (both sit inside <main>, the target elsewhere). The org layout and its error view carry it.
 */
export const ORG_CONTENT_ID = "content";
