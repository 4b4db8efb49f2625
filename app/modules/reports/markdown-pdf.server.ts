import { isSafeHref, type MarkdownBlock, type MarkdownInline } from "../../utils/markdown";
import { parseMarkdown } from "../../utils/markdown.server";
import { COLORS, heading, paragraph, richParagraph, table, type Pdf, type Run } from "./pdf.server";

/**
 * The one adapter from the Markdown tree (`~/utils/markdown`) to the PDF:
 * bold, italics, struck-out text, code, links (as link annotations), lists
 * (nested ones indented, task items as "[x]" and "[ ]"), quotes, tables, footnotes.
 */

type Style = Omit<Run, "text">;

function runsOf(nodes: MarkdownInline[], style: Style = {}): Run[] {
  const runs: Run[] = [];
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        runs.push({ ...style, text: node.value });
        break;
      case "inlineCode":
        runs.push({ ...style, code: true, text: node.value });
        break;
      case "strong":
        runs.push(...runsOf(node.children, { ...style, bold: true }));
        break;
      case "emphasis":
        runs.push(...runsOf(node.children, { ...style, italic: true }));
        break;
      case "delete":
        runs.push(...runsOf(node.children, { ...style, strike: true }));
        break;
      case "break":
        runs.push({ ...style, text: "\n" });
        break;
      case "footnoteReference":
        runs.push({ ...style, text: `[${node.label}]` });
        break;
      case "link": {
        const link = isSafeHref(node.url) ? { link: node.url } : {};
        const children = runsOf(node.children, { ...style, ...link });
        runs.push(...(children.some((r) => r.text.trim()) ? children : [{ ...style, ...link, text: node.url }]));
        break;
      }
    }
  }
  return runs;
}

const plain = (nodes: MarkdownInline[]) =>
  runsOf(nodes)
    .map((r) => r.text)
    .join("");

/** Where blocks are drawn: indented (list items, quotes), in the quote style, the first one after a marker. */
type Place = { indent: number; quote: boolean; marker?: string };

function blocks(doc: Pdf, nodes: MarkdownBlock[], place: Place) {
  nodes.forEach((node, i) => block(doc, node, i === 0 ? place : { ...place, marker: undefined }));
}

function block(doc: Pdf, node: MarkdownBlock, place: Place) {
  const { indent, quote, marker } = place;
  const style: Style = quote ? { italic: true } : {};
  const layout = { indent, marker, ...(quote ? { color: COLORS.muted } : {}) };
  switch (node.type) {
    case "heading":
      if (indent === 0 && !marker) heading(doc, plain(node.children), 2);
      else richParagraph(doc, runsOf(node.children, { ...style, bold: true }), layout);
      break;
    case "paragraph":
      richParagraph(doc, runsOf(node.children, style), layout);
      break;
    case "blockquote":
      blocks(doc, node.children, { indent: indent + 14, quote: true, marker });
      break;
    case "list":
      node.children.forEach((item, i) => {
        // A task item's box replaces the bullet (both would not fit in the indent).
        const box = item.checked === null ? "" : item.checked ? "[x]" : "[ ]";
        const marker = node.ordered ? `${node.start + i}.${box && ` ${box}`}` : box || "•";
        blocks(doc, item.children, { indent: indent + 16, quote, marker });
      });
      break;
    case "code":
      richParagraph(doc, [{ text: node.value, code: true }], { ...layout, indent: indent + 8, size: 9 });
      break;
    case "table": {
      const [header = [], ...rows] = node.rows;
      table(
        doc,
        header.map((cell) => ({ header: plain(cell), width: 1 / header.length })),
        rows.map((row) => row.map((cell) => plain(cell))),
      );
      break;
    }
    case "thematicBreak":
      paragraph(doc, "");
      break;
    case "footnoteDefinition":
      blocks(doc, node.children, { indent: indent + 16, quote, marker: `[${node.label}]` });
      break;
  }
}

/** Renders Markdown source as PDF blocks at the current position. */
export function markdownToPdf(doc: Pdf, source: string) {
  blocks(doc, parseMarkdown(source).children, { indent: 0, quote: false });
}
