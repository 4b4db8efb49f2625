import { isSafeHref, parseMarkdown, type Block, type Inline } from "../governance/markdown";
import { COLORS, heading, paragraph, richParagraph, table, type Pdf, type Run } from "./pdf.server";

/**
 * The one adapter from the Markdown parser's tree to the PDF: bold, italics,
 * code, links (as link annotations), lists, quotes, tables. If the parser is
 * replaced, only this file changes.
 */

function runsOf(nodes: Inline[], style: Omit<Run, "text"> = {}): Run[] {
  const runs: Run[] = [];
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        runs.push({ ...style, text: node.value });
        break;
      case "code":
        runs.push({ ...style, code: true, text: node.value });
        break;
      case "strong":
        runs.push(...runsOf(node.children, { ...style, bold: true }));
        break;
      case "em":
        runs.push(...runsOf(node.children, { ...style, italic: true }));
        break;
      case "break":
        runs.push({ ...style, text: "\n" });
        break;
      case "link": {
        const safe = isSafeHref(node.href);
        const children = runsOf(node.children, safe ? { ...style, link: node.href.trim() } : style);
        runs.push(...(children.some((r) => r.text.trim()) ? children : [{ ...style, ...(safe ? { link: node.href.trim() } : {}), text: node.href }]));
        break;
      }
    }
  }
  return runs;
}

const plain = (nodes: Inline[]) =>
  runsOf(nodes)
    .map((r) => r.text)
    .join("");

function block(doc: Pdf, b: Block) {
  switch (b.type) {
    case "heading":
      heading(doc, plain(b.children), 2);
      break;
    case "paragraph":
      richParagraph(doc, runsOf(b.children));
      break;
    case "quote":
      richParagraph(doc, runsOf(b.children, { italic: true }), { indent: 14, color: COLORS.muted });
      break;
    case "list":
      b.items.forEach((item, i) => richParagraph(doc, runsOf(item), { indent: 16, marker: b.ordered ? `${i + 1}.` : "•" }));
      break;
    case "code":
      richParagraph(doc, [{ text: b.value, code: true }], { indent: 8, size: 9 });
      break;
    case "table":
      table(
        doc,
        b.header.map((cell) => ({ header: plain(cell), width: 1 / b.header.length })),
        b.rows.map((row) => row.map((cell) => plain(cell))),
      );
      break;
    case "rule":
      paragraph(doc, "");
      break;
  }
}

/** Renders Markdown source as PDF blocks at the current position. */
export function markdownToPdf(doc: Pdf, source: string) {
  for (const b of parseMarkdown(source)) block(doc, b);
}
