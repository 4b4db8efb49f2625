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

/** A table column's alignment, from its delimiter row (`:---`, `---:`, `:---:`); null when none is given. */
export type MarkdownAlign = "left" | "right" | "center" | null;

export type MarkdownBlock =
  | { type: "heading"; depth: 1 | 2 | 3 | 4 | 5 | 6; children: MarkdownInline[] }
  | { type: "paragraph"; children: MarkdownInline[] }
  /** `spread`: a loose list, whose items' paragraphs are shown as paragraphs. */
  | { type: "list"; ordered: boolean; start: number; spread: boolean; children: MarkdownListItem[] }
  | { type: "code"; value: string }
  | { type: "blockquote"; children: MarkdownBlock[] }
  /** `rows[0]` is the header row; every row has the header's number of cells. */
  | { type: "table"; rows: MarkdownInline[][][]; align?: MarkdownAlign[] }
  | { type: "thematicBreak" }
  | { type: "footnoteDefinition"; label: string; children: MarkdownBlock[] };

export type MarkdownRoot = { type: "root"; children: MarkdownBlock[] };

/** The tree with every heading `by` levels deeper (at most 6): user text placed under a document's own headings. */
export function headingsBelow(root: MarkdownRoot, by: number): MarkdownRoot {
  const shift = (blocks: MarkdownBlock[]): MarkdownBlock[] =>
    blocks.map((block) => {
      switch (block.type) {
        case "heading":
          return { ...block, depth: Math.min(block.depth + by, 6) as 1 | 2 | 3 | 4 | 5 | 6 };
        case "blockquote":
        case "footnoteDefinition":
          return { ...block, children: shift(block.children) };
        case "list":
          return { ...block, children: block.children.map((item) => ({ ...item, children: shift(item.children) })) };
        default:
          return block;
      }
    });
  return { type: "root", children: shift(root.children) };
}

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

/* ---------------------------------------------------------------- back to Markdown */

/**
 * Writes a sanitised tree back as Markdown source that reads back as the same
 * tree: what the portal shows, and nothing it does not (no raw HTML, only
 * safe links), for exports that carry user text to other Markdown renderers.
 * Text is escaped so it stays text there too: `<`, `[`, emphasis and table
 * delimiters everywhere, and block markers (`#`, `>`, `-`, `1.`, `===`) at
 * the start of a line.
 */
export function markdownSource(root: MarkdownRoot): string {
  return blocksSource(root.children).join("\n\n");
}

/** Characters escaped wherever they occur in text. */
const INLINE_SPECIALS = /[\\`*_[\]<>|~#]/g;
/** Block markers at the start of a line of text (list items, setext underlines; `#`, `>` and `*` are escaped everywhere). */
const LINE_START_MARKER = /^[-+=]/;
const ORDERED_MARKER = /^(\d{1,9})([.)])/;
const CHARACTER_REFERENCE = /&(?=#\d+;|#x[0-9a-f]+;|[a-z][a-z0-9]*;)/gi;

/** Text as Markdown that shows exactly this text. */
export function escapeMarkdownText(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      line
        .replace(INLINE_SPECIALS, "\\$&")
        .replace(CHARACTER_REFERENCE, "\\&")
        .replace(LINE_START_MARKER, "\\$&")
        .replace(ORDERED_MARKER, "$1\\$2"),
    )
    .join("\n");
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

function inlinesSource(nodes: MarkdownInline[]): string {
  const parts = nodes.map(inlineSource);
  // "!" before a link would make it an image.
  return parts.map((part, n) => (part.endsWith("!") && parts[n + 1]?.startsWith("[") ? `${part.slice(0, -1)}\\!` : part)).join("");
}

function inlineSource(node: MarkdownInline): string {
  switch (node.type) {
    case "text":
      return escapeMarkdownText(node.value);
    case "strong":
      return `**${inlinesSource(node.children)}**`;
    case "emphasis":
      return `*${inlinesSource(node.children)}*`;
    case "delete":
      return `~~${inlinesSource(node.children)}~~`;
    case "inlineCode": {
      const fence = "`".repeat(longestRun(node.value, "`") + 1);
      // One space each side is stripped when read back, unless the code is only spaces.
      const pad = /[^ ]/.test(node.value) && /^[ `]|[ `]$/.test(node.value) ? " " : "";
      return `${fence}${pad}${node.value}${pad}${fence}`;
    }
    case "break":
      return "\\\n";
    case "link":
      return `[${inlinesSource(node.children)}](${node.url.replace(/[\\()<>]/g, "\\$&")})`;
    case "footnoteReference":
      return `[^${node.label}]`;
  }
}

/** Each following line of `text` indented by `indent` (the first line is placed by the caller). */
const indentRest = (text: string, indent: string) => text.replace(/\n(?=.)/g, `\n${indent}`);

/** `depth`: how many lists the blocks are in; nested bullets alternate "-" and "*" so "- - -" never reads as a rule. */
function blocksSource(blocks: MarkdownBlock[], depth = 0): string[] {
  const out: string[] = [];
  let previous: MarkdownBlock | undefined;
  let alternate = false;
  for (const block of blocks) {
    // Two lists in a row are two lists only when their markers differ.
    alternate = block.type === "list" && previous?.type === "list" && previous.ordered === block.ordered ? !alternate : false;
    out.push(blockSource(block, alternate, depth));
    previous = block;
  }
  return out;
}

function blockSource(block: MarkdownBlock, alternate: boolean, depth: number): string {
  switch (block.type) {
    case "heading":
      return `${"#".repeat(block.depth)} ${inlinesSource(block.children).replace(/\\?\n/g, " ")}`;
    case "paragraph":
      return inlinesSource(block.children);
    case "code": {
      const fence = "`".repeat(Math.max(3, longestRun(block.value, "`") + 1));
      return `${fence}\n${block.value}\n${fence}`;
    }
    case "blockquote":
      return blocksSource(block.children, depth)
        .join("\n\n")
        .split("\n")
        .map((line) => (line ? `> ${line}` : ">"))
        .join("\n");
    case "list":
      return block.children
        .map((item, n) => {
          const marker = block.ordered ? `${block.start + n}${alternate ? ")" : "."}` : (depth % 2 === 1) !== alternate ? "*" : "-";
          const check = item.checked === null ? "" : item.checked ? "[x] " : "[ ] ";
          const body = blocksSource(item.children, depth + 1).join(block.spread ? "\n\n" : "\n");
          return `${marker} ${check}${indentRest(body, " ".repeat(marker.length + 1))}`;
        })
        .join(block.spread ? "\n\n" : "\n");
    case "table": {
      const row = (cells: MarkdownInline[][]) => `| ${cells.map((cell) => inlinesSource(cell).replace(/\\?\n/g, " ")).join(" | ")} |`;
      const [head = [], ...rest] = block.rows;
      const delimiter = (c: number) => {
        const align = block.align?.[c];
        return align ? { left: ":---", right: "---:", center: ":---:" }[align] : "---";
      };
      return [row(head), `| ${head.map((_, c) => delimiter(c)).join(" | ")} |`, ...rest.map(row)].join("\n");
    }
    case "thematicBreak":
      return "***";
    case "footnoteDefinition":
      return `[^${block.label}]: ${indentRest(blocksSource(block.children, depth).join("\n\n"), "    ")}`;
  }
}
