/**
 * Markdown as plain data: the compact, already-sanitised tree that
 * `parseMarkdown` (markdown.server.ts) builds on the server and that the
 * React renderer (`~/components/markdown`) and the PDF adapter draw.
 *
 * Node names follow mdast (https://github.com/syntax-tree/mdast), minus what
 * the renderers never need (positions, titles, alignment). The tree is
 * JSON-safe, so it travels in loader data; the parser never reaches the
 * browser.
 *
 * Safety rules, applied when the tree is built: no raw HTML (it is parsed as
 * text), character references stay literal (`&lt;` is four characters),
 * links only for `http:`, `https:` and `mailto:` (others become their text),
 * images become their alt text.
 */

export type MarkdownInline =
  | { type: "text"; value: string }
  | { type: "strong" | "emphasis" | "delete"; children: MarkdownInline[] }
  | { type: "inlineCode"; value: string }
  | { type: "break" }
  | { type: "link"; url: string; children: MarkdownInline[] }
  | { type: "footnoteReference"; label: string };

export type MarkdownListItem = { checked: boolean | null; children: MarkdownBlock[] };

export type MarkdownBlock =
  | { type: "heading"; depth: 1 | 2 | 3 | 4 | 5 | 6; children: MarkdownInline[] }
  | { type: "paragraph"; children: MarkdownInline[] }
  /** `spread`: a loose list, whose items' paragraphs are shown as paragraphs. */
  | { type: "list"; ordered: boolean; start: number; spread: boolean; children: MarkdownListItem[] }
  | { type: "code"; value: string }
  | { type: "blockquote"; children: MarkdownBlock[] }
  /** `rows[0]` is the header row; every row has the header's number of cells. */
  | { type: "table"; rows: MarkdownInline[][][] }
  | { type: "thematicBreak" }
  | { type: "footnoteDefinition"; label: string; children: MarkdownBlock[] };

export type MarkdownRoot = { type: "root"; children: MarkdownBlock[] };

// Any whitespace (Unicode-aware), C0/C1 control characters and DEL.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const UNSAFE_URL_CHARS = /[\s\u0000-\u001f\u007f-\u009f]/u;

/**
 * True when `href` may be rendered as a live link: after trimming and
 * lower-casing it must start with `http://`, `https://` (with a host part)
 * or `mailto:` (with an address), and contain no whitespace or control
 * characters. Everything else (`javascript:`, `data:`, `vbscript:`,
 * relative and protocol-relative `//host` URLs) is rejected.
 */
export function isSafeHref(href: string): boolean {
  if (typeof href !== "string") return false;
  const trimmed = href.trim();
  if (trimmed === "" || UNSAFE_URL_CHARS.test(trimmed)) return false;
  const lower = trimmed.toLowerCase();
  let rest: string;
  if (lower.startsWith("https://")) rest = lower.slice(8);
  else if (lower.startsWith("http://")) rest = lower.slice(7);
  else if (lower.startsWith("mailto:")) return lower.length > "mailto:".length;
  else return false;
  // A host is required: reject "https://", "https:///x", "https://\x", "https://?q".
  const first = rest.charAt(0);
  return first !== "" && first !== "/" && first !== "\\" && first !== "?" && first !== "#";
}
