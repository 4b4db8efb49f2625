import type * as Mdast from "mdast";
import { fromMarkdown, type Options } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import {
  headingsBelow,
  isSafeHref,
  markdownSource,
  type MarkdownBlock,
  type MarkdownInline,
  type MarkdownListItem,
  type MarkdownRoot,
} from "./markdown";

/**
 * Parses Markdown (CommonMark with GitHub's extensions: tables, task lists,
 * strikethrough, autolinked URLs, footnotes) into the compact, sanitised
 * tree of `./markdown`, on the server only.
 *
 * - Raw HTML is not a construct at all: `<b>` is the text "<b>".
 * - Character references are not decoded: `&lt;` stays the four characters,
 *   which also closes the `&#106;avascript:` bypass for links.
 * - Links whose URL `isSafeHref` rejects become their text; images become
 *   their alt text; reference links are resolved, definitions dropped.
 * - Footnote definitions move to the end, as on GitHub.
 *
 * Cost: micromark is linear on ordinary text, but its emphasis resolution is
 * quadratic in the number of `*`/`_`/`~` delimiters of one paragraph (50 s
 * for a 20,000-character card section of nested stars). Text with very long
 * or very many delimiter runs is therefore parsed without emphasis (the
 * delimiters show as typed). Block nesting is quadratic too (`>` × 20,000
 * takes minutes), so a line opening more than `MAX_LINE_NESTING` quotes or
 * list items makes the text plain paragraphs; nesting deeper than the
 * renderers need is flattened. Setext headings are quadratic in their number
 * (5,000 took 28 s) and a table costs its columns × its rows (2,000 × 4,000
 * took 33 s and made a 36 MB tree): past MAX_SETEXT_HEADINGS underlines, or
 * MAX_TABLE_CELLS cells, those constructs are off and the lines show as typed.
 */
export function parseMarkdown(source: string): MarkdownRoot {
  const text = String(source ?? "");
  if (!nestingIsShallow(text)) return plainParagraphs(text);
  try {
    const disabled = [
      ...(emphasisIsCheap(text) ? [] : ["attention", "strikethrough"]),
      ...(setextIsCheap(text) ? [] : ["setextUnderline"]),
      ...(tablesAreCheap(text) ? [] : ["table"]),
    ];
    const tree = fromMarkdown(text, optionsWithout(disabled));
    return compactRoot(tree);
  } catch (error) {
    // Only a stack overflow on absurdly deep nesting (thousands of `>`) gets here.
    if (!(error instanceof RangeError)) throw error;
    return plainParagraphs(text);
  }
}

const NO_HTML = ["htmlFlow", "htmlText", "characterReference"];
const OPTIONS = new Map<string, Options>();
/** The parser's options with HTML and the given constructs off (built once per combination). */
function optionsWithout(disabled: string[]): Options {
  const key = disabled.join(",");
  let options = OPTIONS.get(key);
  if (!options) {
    options = { extensions: [gfm(), { disable: { null: [...NO_HTML, ...disabled] } }], mdastExtensions: [gfmFromMarkdown()] };
    OPTIONS.set(key, options);
  }
  return options;
}

/** More lines that could underline a setext heading than this turns setext headings off (ATX `#` headings stay). */
const MAX_SETEXT_HEADINGS = 100;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/gm;

function setextIsCheap(text: string): boolean {
  let count = 0;
  SETEXT_UNDERLINE.lastIndex = 0;
  while (SETEXT_UNDERLINE.exec(text)) if (++count > MAX_SETEXT_HEADINGS) return false;
  return true;
}

/** More cells than this (the most `|` on one line × the lines) turns tables off. */
const MAX_TABLE_CELLS = 20_000;

function tablesAreCheap(text: string): boolean {
  let lines = 1;
  let pipes = 0;
  let widest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 124)
      pipes++; // |
    else if (c === 10) {
      lines++;
      if (pipes > widest) widest = pipes;
      pipes = 0;
    }
  }
  return Math.max(widest, pipes) * lines <= MAX_TABLE_CELLS;
}

/** More delimiter characters than this (or a longer run) turns emphasis off. */
const MAX_EMPHASIS_DELIMITERS = 4000;
const MAX_DELIMITER_RUN = 32;

function emphasisIsCheap(text: string): boolean {
  let count = 0;
  let run = 0;
  let previous = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === "*" || ch === "_" || ch === "~") {
      count++;
      run = ch === previous ? run + 1 : 1;
      if (count > MAX_EMPHASIS_DELIMITERS || run > MAX_DELIMITER_RUN) return false;
    }
    previous = ch;
  }
  return true;
}

/** More quote or list markers than this at the start of one line is not a document, but an attack. */
const MAX_LINE_NESTING = 32;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)/;

function nestingIsShallow(text: string): boolean {
  for (const line of text.split("\n")) {
    if (THEMATIC_BREAK.test(line)) continue;
    let rest = line;
    for (let depth = 0; ; depth++) {
      rest = rest.trimStart();
      if (rest.startsWith(">")) rest = rest.slice(1);
      else {
        const marker = LIST_MARKER.exec(rest);
        if (!marker) break;
        rest = rest.slice(marker[0].length);
      }
      if (depth >= MAX_LINE_NESTING) return false;
    }
  }
  return true;
}

function plainParagraphs(text: string): MarkdownRoot {
  const children: MarkdownBlock[] = text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => ({ type: "paragraph", children: [{ type: "text", value: part }] }));
  return { type: "root", children };
}

/** Deeper nesting of quotes, lists or emphasis than this is flattened into its parent. */
const MAX_DEPTH = 24;

type Context = { definitions: Map<string, string>; depth: number };

function compactRoot(tree: Mdast.Root): MarkdownRoot {
  const definitions = new Map<string, string>();
  for (const node of tree.children)
    if (node.type === "definition" && !definitions.has(node.identifier)) definitions.set(node.identifier, node.url);
  const blocks = compactBlocks(tree.children, { definitions, depth: 0 });
  const footnotes = blocks.filter((b) => b.type === "footnoteDefinition");
  return { type: "root", children: [...blocks.filter((b) => b.type !== "footnoteDefinition"), ...footnotes] };
}

function compactBlocks(nodes: Mdast.RootContent[], context: Context): MarkdownBlock[] {
  const out: MarkdownBlock[] = [];
  const inner = { ...context, depth: context.depth + 1 };
  for (const node of nodes) {
    switch (node.type) {
      case "heading":
        out.push({ type: "heading", depth: node.depth, children: compactInlines(node.children, inner) });
        break;
      case "paragraph":
        out.push({ type: "paragraph", children: compactInlines(node.children, inner) });
        break;
      case "code":
        out.push({ type: "code", value: node.value });
        break;
      case "thematicBreak":
        out.push({ type: "thematicBreak" });
        break;
      case "blockquote":
        if (context.depth >= MAX_DEPTH) out.push(...compactBlocks(node.children, context));
        else out.push({ type: "blockquote", children: compactBlocks(node.children, inner) });
        break;
      case "list": {
        const items: MarkdownListItem[] = node.children.map((item) => ({
          checked: item.checked ?? null,
          children: compactBlocks(item.children, context.depth >= MAX_DEPTH ? context : inner),
        }));
        if (context.depth >= MAX_DEPTH) out.push(...items.flatMap((item) => item.children));
        else out.push({ type: "list", ordered: Boolean(node.ordered), start: node.start ?? 1, spread: isLoose(node), children: items });
        break;
      }
      case "table": {
        const width = node.children[0]?.children.length ?? 0;
        const rows = node.children.map((row) =>
          Array.from({ length: width }, (_, c) => compactInlines(row.children[c]?.children ?? [], inner)),
        );
        out.push({ type: "table", rows, align: Array.from({ length: width }, (_, c) => node.align?.[c] ?? null) });
        break;
      }
      case "footnoteDefinition":
        out.push({ type: "footnoteDefinition", label: node.label ?? node.identifier, children: compactBlocks(node.children, inner) });
        break;
      case "html":
        // Not produced (the HTML constructs are off); kept as text should that change.
        out.push({ type: "paragraph", children: [{ type: "text", value: node.value }] });
        break;
      default:
        // Definitions (already resolved) and node types GFM does not produce.
        break;
    }
  }
  return out;
}

/** A list is loose when it or any of its items is spread (blank lines between their blocks). */
function isLoose(list: Mdast.List): boolean {
  return Boolean(list.spread) || list.children.some((item) => item.spread);
}

function compactInlines(nodes: Mdast.PhrasingContent[], context: Context): MarkdownInline[] {
  const out: MarkdownInline[] = [];
  const push = (node: MarkdownInline) => {
    const last = out[out.length - 1];
    if (node.type === "text" && last?.type === "text") last.value += node.value;
    else if (node.type !== "text" || node.value !== "") out.push(node);
  };
  const inner = { ...context, depth: context.depth + 1 };
  const flat = context.depth >= MAX_DEPTH;
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        push({ type: "text", value: node.value });
        break;
      case "inlineCode":
        push({ type: "inlineCode", value: node.value });
        break;
      case "break":
        push({ type: "break" });
        break;
      case "strong":
      case "emphasis":
      case "delete":
        if (flat) compactInlines(node.children, context).forEach(push);
        else push({ type: node.type, children: compactInlines(node.children, inner) });
        break;
      case "link":
      case "linkReference": {
        const url = node.type === "link" ? node.url : context.definitions.get(node.identifier);
        const children = compactInlines(node.children, flat ? context : inner);
        if (url !== undefined && isSafeHref(url) && !flat) push({ type: "link", url: url.trim(), children });
        else children.forEach(push);
        break;
      }
      case "image":
      case "imageReference":
        push({ type: "text", value: node.alt ?? "" });
        break;
      case "footnoteReference":
        push({ type: "footnoteReference", label: node.label ?? node.identifier });
        break;
      case "html":
        push({ type: "text", value: node.value });
        break;
    }
  }
  return out;
}

/**
 * User Markdown made safe to carry elsewhere (exports): parsed and sanitised
 * as the portal renders it, then written back, so raw HTML is text and only
 * safe links stay links whatever renders the file. `headingsBelow` moves the
 * text's headings that many levels down, under the export's own.
 */
export function safeMarkdown(source: string, options: { headingsBelow?: number } = {}): string {
  const tree = parseMarkdown(source);
  return markdownSource(options.headingsBelow ? headingsBelow(tree, options.headingsBelow) : tree);
}
