import { describe, expect, it } from "vitest";
import { headingsBelow, isSafeHref, type MarkdownBlock, type MarkdownInline } from "../../utils/markdown";
import { parseMarkdown } from "../../utils/markdown.server";
import { CARD_SECTIONS } from "./governance-constants";
import { emptySections, type CardSections } from "./model-card";
import { cardToMarkdown } from "./model-card-markdown.server";

/** The export of a card whose model has `name` and whose sections hold `sections`. */
function exported(name: string, sections: Partial<CardSections> = {}) {
  const md = cardToMarkdown({
    model: { name, slug: "m", riskTier: "high", ownerTeam: "team", tags: [] },
    version: { version: "1.0.0", framework: null, algorithm: null, metrics: {} },
    card: { revision: 1, status: "draft", sections: { ...emptySections(), ...sections }, updatedAt: "2026-01-01T00:00:00.000Z" },
  });
  const end = md.indexOf("\n---\n", 4);
  return { md, front: md.slice(4, end).split("\n"), body: md.slice(end + 5) };
}

function links(blocks: MarkdownBlock[]): string[] {
  const inline = (nodes: MarkdownInline[]): string[] =>
    nodes.flatMap((n) => (n.type === "link" ? [n.url, ...inline(n.children)] : "children" in n ? inline(n.children) : []));
  return blocks.flatMap((b) => {
    if (b.type === "heading" || b.type === "paragraph") return inline(b.children);
    if (b.type === "blockquote" || b.type === "footnoteDefinition") return links(b.children);
    if (b.type === "list") return b.children.flatMap((item) => links(item.children));
    if (b.type === "table") return b.rows.flatMap((row) => row.flatMap(inline));
    return [];
  });
}

/** A `<` that is not backslash-escaped: raw HTML to any Markdown renderer that allows it. */
const RAW_HTML = /(^|[^\\])<[a-z!/?]/im;

describe("the model card's Markdown export escapes what it carries (issue 14, #7)", () => {
  it("a model name holding newlines cannot start a heading or a front-matter key", () => {
    const { front, body } = exported("Evil\n# Injected heading\n---\nowner_team: pwned");
    expect(
      front.filter((l) => !/^(model_name|model_id|version|tags|risk_tier|owner_team|card_revision|card_status|updated):/.test(l)),
    ).toEqual([]);
    const headings = body.split("\n").filter((l) => /^\s{0,3}#/.test(l));
    expect(headings).toEqual([expect.stringMatching(/^# Model card: Evil/), ...CARD_SECTIONS.map((s) => `## ${s.title}`)]);
    expect(parseMarkdown(body).children.filter((b) => b.type === "heading")).toHaveLength(1 + CARD_SECTIONS.length);
  });

  it("quotes names with characters YAML would not read back as written", () => {
    const { front } = exported("A\u0085B\u2028C\u202eD\ufeffE");
    const line = front.find((l) => l.startsWith("model_name: "))!;
    expect(line).toBe('model_name: "A\\u0085B\\u2028C\\u202eD\\ufeffE"');
    expect(JSON.parse(line.slice("model_name: ".length))).toBe("A\u0085B\u2028C\u202eD\ufeffE");
  });

  it("drops raw HTML and unsafe links as the rendered card does, keeping safe links", () => {
    const { body } = exported("<b>Bold</b> model", {
      modelDetails:
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(1)"> and <a href="javascript:alert(1)">a</a>\n\n' +
        "[click me](javascript:alert(1)) [data](data:text/html,x) [ok](https://example.com/a_b?x=1) ![pic](https://example.com/p.png)\n\n" +
        "[ref][r]\n\n[r]: vbscript:msgbox",
      metrics: "| a | <i>b</i> |\n|---|---|\n| [x](javascript:1) | 2 |",
    });
    expect(body).not.toMatch(RAW_HTML);
    expect(body).not.toMatch(/\]\((javascript|data|vbscript):/i);
    expect(body).not.toMatch(/^\[r\]:/m);
    const tree = parseMarkdown(body);
    expect(links(tree.children)).toEqual(["https://example.com/a_b?x=1"]);
    for (const url of links(tree.children)) expect(isSafeHref(url)).toBe(true);
    expect(body).toContain("click me");
    expect(body).toContain("pic");
  });

  it("keeps the structure of ordinary Markdown: the export reads back as the card shows it", () => {
    const section = [
      "Intro with **bold**, _emphasis_, ~~gone~~, `code` and a [link](https://example.com).",
      "",
      "## Sub heading",
      "",
      "- one\n- two with *stars* \\* and 1. numbers\n  - nested",
      "",
      "3. three\n4. four",
      "",
      "> quoted\n> text",
      "",
      "```\nconst x = `<b>`;\n```",
      "",
      "| col | other |\n|-----|-------|\n| a \\| b | 2 |",
      "",
      "***",
      "",
      "- [x] done\n- [ ] open",
      "",
      "Note[^1] with a hard  \nbreak and #hash, 1) not a list, + plus.",
      "",
      "[^1]: The footnote.",
    ].join("\n");
    const { body } = exported("Plain", { modelDetails: section });
    const shown = body.split(`## ${CARD_SECTIONS[0]!.title}\n\n`)[1]!.split(`\n## ${CARD_SECTIONS[1]!.title}`)[0]!;
    // The section's own headings sit under the export's section heading (## → ####).
    expect(parseMarkdown(shown)).toEqual(headingsBelow(parseMarkdown(section), 2));
    expect(shown).toContain("#### Sub heading");
  });

  it("keeps a table's column alignment", () => {
    const { body } = exported("Aligned", { modelDetails: "| Metric | Value |\n|:--- | ---:|\n| AUC | 0.91 |" });
    expect(body).toContain("| :--- | ---: |");
  });
});
