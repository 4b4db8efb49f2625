import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import fc from "fast-check";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import { Markdown } from "../components/markdown";
import { isSafeHref, markdownSource, type MarkdownBlock, type MarkdownInline, type MarkdownRoot } from "./markdown";
import { parseMarkdown, safeMarkdown } from "./markdown.server";

const text = (value: string): MarkdownInline => ({ type: "text", value });
const para = (...children: MarkdownInline[]): MarkdownBlock => ({ type: "paragraph", children });
const blocks = (source: string) => parseMarkdown(source).children;
const inline = (source: string): MarkdownInline[] => {
  const [block, ...rest] = blocks(source);
  if (block?.type !== "paragraph" || rest.length) throw new Error(`expected one paragraph, got ${JSON.stringify(blocks(source))}`);
  return block.children;
};
const render = (source: string, className?: string) =>
  renderToStaticMarkup(createElement(Markdown, { tree: parseMarkdown(source), className }));

describe("parseMarkdown: a compact tree of CommonMark and GFM", () => {
  it("returns an empty root for empty or blank input", () => {
    expect(parseMarkdown("")).toEqual({ type: "root", children: [] });
    expect(blocks("  \n\t\n")).toEqual([]);
  });

  it("keeps no positions or other parser detail, so the tree is small in loader data", () => {
    const tree = parseMarkdown('# Title\n\nSome *text* with [a link](https://x.example "t").');
    expect(JSON.stringify(tree)).not.toMatch(/position|title|"spread"|identifier/);
    expect(tree).toEqual({
      type: "root",
      children: [
        { type: "heading", depth: 1, children: [text("Title")] },
        para(
          text("Some "),
          { type: "emphasis", children: [text("text")] },
          text(" with "),
          { type: "link", url: "https://x.example", children: [text("a link")] },
          text("."),
        ),
      ],
    });
  });

  it("parses ATX and setext headings, not #hashtags", () => {
    expect(blocks("# One\n## Two ##\n###### Six\n\nTitle\n=====")).toEqual([
      { type: "heading", depth: 1, children: [text("One")] },
      { type: "heading", depth: 2, children: [text("Two")] },
      { type: "heading", depth: 6, children: [text("Six")] },
      { type: "heading", depth: 1, children: [text("Title")] },
    ]);
    expect(blocks("#hashtag")).toEqual([para(text("#hashtag"))]);
    expect(blocks("# C\\#")).toEqual([{ type: "heading", depth: 1, children: [text("C#")] }]);
  });

  it("joins the lines of a paragraph and makes hard breaks of two trailing spaces or a backslash", () => {
    expect(blocks("first line\nsecond line\n\nnext")).toEqual([para(text("first line\nsecond line")), para(text("next"))]);
    expect(inline("one  \ntwo\\\nthree")).toEqual([text("one"), { type: "break" }, text("two"), { type: "break" }, text("three")]);
  });

  it("parses tight, loose, ordered and nested lists", () => {
    expect(blocks("- a\n- b")).toEqual([
      {
        type: "list",
        ordered: false,
        start: 1,
        spread: false,
        children: [
          { checked: null, children: [para(text("a"))] },
          { checked: null, children: [para(text("b"))] },
        ],
      },
    ]);
    const [ordered] = blocks("3. first\n\n4. second\n   - nested");
    expect(ordered).toMatchObject({ type: "list", ordered: true, start: 3, spread: true });
    expect(ordered?.type === "list" && ordered.children[1]?.children[1]).toMatchObject({ type: "list", ordered: false });
  });

  it("parses GFM task list items", () => {
    const [list] = blocks("- [ ] to do\n- [x] done\n- plain");
    expect(list?.type === "list" && list.children.map((item) => item.checked)).toEqual([false, true, null]);
    expect(render("- [ ] to do\n- [x] done")).toBe(
      '<div class="markdown"><ul>' +
        '<li class="task"><input type="checkbox" disabled="" aria-label="Not done"/>to do</li>' +
        '<li class="task"><input type="checkbox" disabled="" aria-label="Done" checked=""/>done</li>' +
        "</ul></div>",
    );
    // In a loose list the box starts the item's first paragraph.
    expect(render("- [x] done\n\n  more")).toBe(
      '<div class="markdown"><ul><li class="task"><p><input type="checkbox" disabled="" aria-label="Done" checked=""/>done</p><p>more</p></li></ul></div>',
    );
  });

  it("parses GFM strikethrough", () => {
    expect(inline("~~gone~~ and ~also~")).toEqual([
      { type: "delete", children: [text("gone")] },
      text(" and "),
      { type: "delete", children: [text("also")] },
    ]);
    expect(render("~~gone~~")).toBe('<div class="markdown"><p><del>gone</del></p></div>');
  });

  it("parses GFM tables, filling short rows and dropping extra cells", () => {
    const source = "| Metric | Value |\n|:--- | ---:|\n| **AUC** | 0.91 |\n| F1 | 0.8 | extra |\n| short |\n\nafter";
    expect(blocks(source)).toEqual([
      {
        type: "table",
        rows: [
          [[text("Metric")], [text("Value")]],
          [[{ type: "strong", children: [text("AUC")] }], [text("0.91")]],
          [[text("F1")], [text("0.8")]],
          [[text("short")], []],
        ],
        align: ["left", "right"],
      },
      para(text("after")),
    ]);
    expect(blocks("a | b\n--|:-:\n`x \\| y` | c")).toEqual([
      {
        type: "table",
        rows: [
          [[text("a")], [text("b")]],
          [[{ type: "inlineCode", value: "x | y" }], [text("c")]],
        ],
        align: [null, "center"],
      },
    ]);
    expect(blocks("a | b | c\n|---|---|")[0]?.type).toBe("paragraph");
  });

  it("autolinks bare URLs, www. addresses and e-mail addresses (GFM), and <…> autolinks", () => {
    expect(inline("see https://x.example/a, www.y.example and team@example.com or <https://z.example>")).toEqual([
      text("see "),
      { type: "link", url: "https://x.example/a", children: [text("https://x.example/a")] },
      text(", "),
      { type: "link", url: "http://www.y.example", children: [text("www.y.example")] },
      text(" and "),
      { type: "link", url: "mailto:team@example.com", children: [text("team@example.com")] },
      text(" or "),
      { type: "link", url: "https://z.example", children: [text("https://z.example")] },
    ]);
  });

  it("resolves reference links and drops their definitions", () => {
    expect(blocks("See [the policy][p] and [bad][b].\n\n[p]: https://policy.example\n[b]: javascript:alert(1)")).toEqual([
      para(text("See "), { type: "link", url: "https://policy.example", children: [text("the policy")] }, text(" and bad.")),
    ]);
  });

  it("parses footnotes, moving their definitions to the end", () => {
    expect(blocks("Claim[^1].\n\n[^1]: Source.\n\nAfter.")).toEqual([
      para(text("Claim"), { type: "footnoteReference", label: "1" }, text(".")),
      para(text("After.")),
      { type: "footnoteDefinition", label: "1", children: [para(text("Source."))] },
    ]);
  });

  it("parses fenced code verbatim, quotes and thematic breaks", () => {
    expect(blocks("```python\nif a < b:\n    print('**no** <b>')\n```\n\n> quoted *text*\nlazy\n\n***")).toEqual([
      { type: "code", value: "if a < b:\n    print('**no** <b>')" },
      { type: "blockquote", children: [para(text("quoted "), { type: "emphasis", children: [text("text")] }, text("\nlazy"))] },
      { type: "thematicBreak" },
    ]);
  });

  it("parses emphasis by CommonMark's rules", () => {
    expect(inline("**a** __b__ *c* _d_")).toEqual([
      { type: "strong", children: [text("a")] },
      text(" "),
      { type: "strong", children: [text("b")] },
      text(" "),
      { type: "emphasis", children: [text("c")] },
      text(" "),
      { type: "emphasis", children: [text("d")] },
    ]);
    expect(inline("snake_case_name and a * b")).toEqual([text("snake_case_name and a * b")]);
    expect(inline("**unclosed")).toEqual([text("**unclosed")]);
  });

  it("turns disallowed links into their text and images into their alt text", () => {
    expect(inline("[click](javascript:alert(1)) [rel](./relative) [enc](&#106;avascript:alert(1))")).toEqual([text("click rel enc")]);
    expect(inline("![a *chart*](https://img.example/c.png) ok")).toEqual([text("a chart ok")]);
    expect(inline("<javascript:alert(1)>")).toEqual([text("javascript:alert(1)")]);
  });

  it("keeps HTML and character references as literal text", () => {
    expect(inline("<b>bold</b> &amp; &lt;script&gt; &#106;")).toEqual([text("<b>bold</b> &amp; &lt;script&gt; &#106;")]);
    expect(blocks("<div>\n*x*\n</div>")).toEqual([para(text("<div>\n"), { type: "emphasis", children: [text("x")] }, text("\n</div>"))]);
  });

  it("normalises Windows line endings", () => {
    expect(blocks("# A\r\n\r\nb")).toEqual([{ type: "heading", depth: 1, children: [text("A")] }, para(text("b"))]);
  });
});

describe("isSafeHref", () => {
  const cases: Array<[string, boolean]> = [
    ["https://example.com", true],
    ["http://example.com/path?q=1#frag", true],
    ["HTTPS://EXAMPLE.COM", true],
    ["  https://example.com  ", true],
    ["mailto:ethics@example.org", true],
    ["MailTo:ethics@example.org", true],
    ["javascript:alert(1)", false],
    ["JaVaScRiPt:alert(1)", false],
    [" javascript:alert(1)", false],
    ["\tjavascript:alert(1)", false],
    ["java\nscript:alert(1)", false],
    ["data:text/html;base64,PHNjcmlwdD4=", false],
    ["vbscript:msgbox(1)", false],
    ["file:///etc/passwd", false],
    ["//evil.com", false],
    ["/relative/path", false],
    ["relative", false],
    ["#anchor", false],
    ["", false],
    ["https://", false],
    ["https:///evil.com", false],
    ["mailto:", false],
    ["https://exa mple.com", false],
    ["https://example.com/\u0000", false],
    ["https://example.com/\u0007x", false],
    ["https://exa\u2028mple.com", false],
    ["https://example.com/\u00a0x", false],
    ["\u0001https://example.com", false],
    ["&#106;avascript:alert(1)", false],
    ["https:evil.com", false],
  ];
  it.each(cases)("%j → %s", (href, expected) => {
    expect(isSafeHref(href)).toBe(expected);
  });
});

const ALLOWED_TAGS = new Set([
  "div",
  "h4",
  "h5",
  "h6",
  "p",
  "ul",
  "ol",
  "li",
  "pre",
  "code",
  "blockquote",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "hr",
  "strong",
  "em",
  "a",
  "br",
  "del",
  "sup",
  "input",
]);

/** Every real tag in the markup with its attribute string. */
function tags(markup: string): Array<{ name: string; attributes: string }> {
  return [...markup.matchAll(/<\/?([a-zA-Z0-9]+)([^>]*)>/g)].map((m) => ({ name: (m[1] ?? "").toLowerCase(), attributes: m[2] ?? "" }));
}

describe("Markdown component: XSS corpus is inert", () => {
  const corpus = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](//evil.com)",
    "[x](vbscript:msgbox(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    '<a href="javascript:alert(1)">click</a>',
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://img.example/x.png)',
    "<iframe src=https://evil.com></iframe>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '[x](https://ok.example "title")',
    '[x](https://ok.example" onclick="alert(1))',
    "<javascript:alert(1)>",
    "<svg onload=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "| <script>x</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <style>body{display:none}</style>",
    "# <h1 onclick=alert(1)>",
  ];

  it.each(corpus)("%j", (source) => {
    const markup = render(source);
    expect(markup).not.toMatch(/<script/i);
    expect(markup).not.toMatch(/<img/i);
    expect(markup).not.toMatch(/<iframe/i);
    expect(markup).not.toMatch(/<svg/i);
    expect(markup).not.toMatch(/<style/i);
    expect(markup).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
    expect(markup).not.toMatch(/href="\/\//);
    for (const tag of tags(markup)) {
      expect(ALLOWED_TAGS.has(tag.name), tag.name).toBe(true);
      expect(tag.attributes).not.toMatch(/\son[a-z]+\s*=/i);
      expect(tag.attributes).not.toMatch(/\sstyle\s*=/i);
      const href = /\shref="([^"]*)"/.exec(tag.attributes)?.[1];
      if (href !== undefined) expect(href).toMatch(/^(https?:\/\/[^/]|mailto:.)/);
    }
  });

  it("shows dangerous HTML escaped as text", () => {
    expect(render("<script>alert(1)</script>")).toBe('<div class="markdown"><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></div>');
    expect(render("<img src=x onerror=alert(1)>")).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(render('<a href="javascript:alert(1)">click</a>')).toContain("&lt;a href=&quot;javascript:alert(1)&quot;&gt;click&lt;/a&gt;");
    // Entities are not decoded: the ampersand itself is escaped.
    expect(render("&lt;script&gt;")).toContain("&amp;lt;script&amp;gt;");
  });

  it("renders disallowed links and images as plain text", () => {
    expect(render("[x](javascript:alert(1))")).toBe('<div class="markdown"><p>x</p></div>');
    expect(render("[x](//evil.com)")).toBe('<div class="markdown"><p>x</p></div>');
    expect(render("![alt text](javascript:alert(1))")).toBe('<div class="markdown"><p>alt text</p></div>');
  });

  it("never uses dangerouslySetInnerHTML", async () => {
    const fs = await import("node:fs");
    const here = new URL(".", import.meta.url);
    for (const file of ["./markdown.ts", "./markdown.server.ts", "../components/markdown.tsx"]) {
      const code = fs.readFileSync(new URL(file, here), "utf8");
      expect(code, file).not.toMatch(/dangerouslySetInnerHTML\s*[=:]/);
      expect(code, file).not.toMatch(/innerHTML\s*=/);
    }
  });
});

describe("Markdown component: rendering", () => {
  it("renders allowed links with rel noopener noreferrer nofollow", () => {
    expect(render('[docs](https://ok.example "title")')).toBe(
      '<div class="markdown"><p><a href="https://ok.example" rel="noopener noreferrer nofollow">docs</a></p></div>',
    );
    expect(render("[Ethics](mailto:ethics@example.org)")).toContain(
      '<a href="mailto:ethics@example.org" rel="noopener noreferrer nofollow">Ethics</a>',
    );
    expect(render("<http://a.example/?x=1&y=2>")).toContain('<a href="http://a.example/?x=1&amp;y=2" rel="noopener noreferrer nofollow">');
  });

  it("re-checks links in the tree it is given", () => {
    const tree = { type: "root" as const, children: [para({ type: "link", url: "javascript:alert(1)", children: [text("x")] })] };
    expect(renderToStaticMarkup(createElement(Markdown, { tree }))).toBe('<div class="markdown"><p>x</p></div>');
  });

  it("shifts heading levels down by three, capped at h6", () => {
    expect(render("# A\n## B\n### C\n###### F")).toBe('<div class="markdown"><h4>A</h4><h5>B</h5><h6>C</h6><h6>F</h6></div>');
  });

  it("renders every block type semantically", () => {
    const source = [
      "Intro with **bold**, *em*, `code` and a  ",
      "break.",
      "",
      "- one",
      "- two",
      "",
      "2. first",
      "",
      "   second paragraph",
      "",
      "```",
      "x < 1",
      "```",
      "",
      "> quote",
      "",
      "| h |",
      "|---|",
      "| c |",
      "",
      "---",
      "",
      "Note[^n].",
      "",
      "[^n]: The note.",
    ].join("\n");
    expect(render(source, "card")).toBe(
      '<div class="markdown card">' +
        "<p>Intro with <strong>bold</strong>, <em>em</em>, <code>code</code> and a<br/>break.</p>" +
        "<ul><li>one</li><li>two</li></ul>" +
        '<ol start="2"><li><p>first</p><p>second paragraph</p></li></ol>' +
        "<pre><code>x &lt; 1</code></pre>" +
        "<blockquote><p>quote</p></blockquote>" +
        '<table><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td>c</td></tr></tbody></table>' +
        "<hr/>" +
        "<p>Note<sup>n</sup>.</p>" +
        '<div class="footnote"><sup>n</sup> The note.</div>' +
        "</div>",
    );
  });

  it("uses just the markdown class when no className is given", () => {
    expect(render("")).toBe('<div class="markdown"></div>');
  });
});

/** Card sections are at most 20,000 characters (`ModelCardSectionsSchema`): the worst inputs of that size. */
describe("pathological input", () => {
  const size = 20_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const inputs: Array<[string, string]> = [
    ["20,000 *", fill("*")],
    ["20,000 [", fill("[")],
    ["20,000 _", fill("_")],
    ["20,000 `", fill("`")],
    ["20,000 <", fill("<")],
    ["*a alternating", fill("*a ")],
    ["a** alternating", fill("a**b ")],
    ["nested stars around a word", `${"*".repeat(size / 2 - 1)}a${"*".repeat(size / 2)}`],
    ["nested tildes around a word", `${"~".repeat(size / 2 - 1)}a${"~".repeat(size / 2)}`],
    ["runs of 32 stars around words", fill(`${"*".repeat(32)}a${"*".repeat(32)} `)],
    ["emphasis soup", fill("*_**__")],
    ["unclosed link tails", fill("[a](")],
    ["link tails with parens", fill("[](")],
    ["unclosed titles", fill('[a](b "')],
    ["brackets then links", `${"[".repeat(size / 2)}${fill("[a](https://x.example)").slice(size / 2)}`],
    ["backtick runs of growing length", Array.from({ length: 190 }, (_, i) => "`".repeat(i + 1)).join(" ")],
    ["many lines", fill("a\n")],
    ["many list items", fill("- item\n")],
    ["deep quotes", fill(">")],
    ["deep lists", fill("- ")],
    ["staircase of nested lists", Array.from({ length: 140 }, (_, i) => `${"  ".repeat(i)}- x`).join("\n")],
    ["table-ish lines", fill("| a | b |\n")],
    ["spaces then break", `a${" ".repeat(size / 2 - 10)}b\\\nc${" ".repeat(size / 2 - 10)}`],
    ["long autolink-ish", `<https://${"a".repeat(size)}`],
  ];

  // CPU time, not wall time: the machine running the tests may be busy. Ordinary text of this size
  // takes about 0.2 s; a quadratic case takes from seconds to minutes.
  const bound = 3000;
  const cpuMs = (started: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  it.each(inputs)("%s finishes quickly", (_name, source) => {
    const started = process.cpuUsage();
    const tree = parseMarkdown(source);
    expect(cpuMs(started)).toBeLessThan(bound);
    // Rendering the (possibly large) element tree is React's work; just make sure it completes.
    expect(renderToStaticMarkup(createElement(Markdown, { tree })).startsWith('<div class="markdown">')).toBe(true);
    expect(cpuMs(started)).toBeLessThan(2 * bound);
  });

  it("caps nesting depth so the renderers never recurse deeply", () => {
    const depth = (nodes: unknown[]): number =>
      nodes.reduce<number>((max, n) => {
        const children = (n as { children?: unknown[] }).children;
        return Math.max(max, Array.isArray(children) ? 1 + depth(children) : 0);
      }, 0);
    for (const source of [
      ">".repeat(5000) + " a",
      "- ".repeat(3000) + "a",
      "> - ".repeat(30) + "a",
      `${"*".repeat(30)}a${"*".repeat(30)}`,
    ]) {
      const tree = parseMarkdown(source);
      expect(JSON.stringify(tree)).toContain("a");
      expect(depth(tree.children)).toBeLessThanOrEqual(60);
    }
  });

  it("shows text that nests too deeply as plain paragraphs", () => {
    expect(blocks(`${"> ".repeat(40)}deep\n\nnext`)).toEqual([para(text(`${"> ".repeat(40)}deep`)), para(text("next"))]);
    expect(blocks("- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -")).toEqual([{ type: "thematicBreak" }]);
  });

  // Issue 14: micromark's setext headings are quadratic in their number (5,000 in a 20,000-character
  // section took 28 s) and a table costs its header's columns × its rows (2,000 × 4,000 took 33 s and
  // made a 36 MB tree). Past the bounds the text is still shown, as typed.
  it("reads at most 100 setext headings in a text; more are shown as typed", () => {
    const headings = (source: string) => blocks(source).filter((b) => b.type === "heading").length;
    expect(headings("a\n=\n\n".repeat(100))).toBe(100);
    const source = "a\n=\n\n".repeat(101);
    expect(headings(source)).toBe(0);
    expect(JSON.stringify(parseMarkdown(source))).toContain("a\\n=");
    expect(headings(`# atx\n\n${source}`)).toBe(1);
  });

  it("reads tables only while columns × lines stay within 20,000 cells; a wider text keeps its table as text", () => {
    const table = (columns: number, rows: number) =>
      `${"|a".repeat(columns)}|\n${"|-".repeat(columns)}|\n${"|b".repeat(columns)}|\n${"c\n".repeat(rows)}`;
    const tables = (source: string) => blocks(source).filter((b) => b.type === "table");
    const small = tables(table(100, 190));
    expect(small).toHaveLength(1);
    const wide = table(2_000, 100);
    expect(tables(wide)).toEqual([]);
    expect(JSON.stringify(parseMarkdown(wide))).toContain("|a|a|");
  });

  it("keeps the text when emphasis is turned off for very dense delimiters", () => {
    const source = `**bold** ${"*".repeat(40)}`;
    expect(inline(source)).toEqual([text(source)]);
  });
});

describe("markdownSource: the sanitised tree written back as Markdown (exports)", () => {
  /** Fragments that mean something to Markdown, joined at random. */
  const PIECES = [
    "a",
    "b",
    " ",
    "\n",
    "\n\n",
    "*",
    "**",
    "_",
    "~",
    "~~",
    "`",
    "```",
    "#",
    "> ",
    "- ",
    "- [ ] ",
    "1. ",
    "2) ",
    "+",
    "=",
    "---",
  ];
  const MORE = ["|", "[", "]", "(", ")", "<", ">", "<b>", "!", "\\", ":", "&amp;", "&#106;", "\t", "    ", "\n    code", "[^1]", "[^1]: n"];
  const LINKS = ["[l](https://e.com)", "> - ", "\n\n- x\n\n  y"];
  const source = (pieces: string[]) => fc.array(fc.constantFrom(...pieces), { maxLength: 25 }).map((p) => p.join(""));
  /** Soft line breaks read as spaces; a heading written on one line holds spaces where a setext heading held newlines. */
  const shown = (tree: MarkdownRoot) => JSON.parse(JSON.stringify(tree).replace(/\\n/g, " ")) as unknown;

  it("reads back as the same tree", () => {
    fc.assert(
      fc.property(source([...PIECES, ...MORE, ...LINKS]), (text) => {
        const tree = parseMarkdown(text);
        const written = markdownSource(tree);
        expect(shown(parseMarkdown(written)), JSON.stringify({ text, written })).toEqual(shown(tree));
      }),
      { numRuns: 400, seed: 14 },
    );
  }, 60_000);

  it("carries no raw HTML and no unsafe link, whatever it was given", () => {
    const hostile = [
      ...PIECES,
      ...MORE,
      "<script>",
      "<img src=x onerror=y>",
      "[x](javascript:y)",
      "<javascript:y>",
      "[r]\n\n[r]: data:x",
      "![i](https://e.com/i.png)",
    ];
    fc.assert(
      fc.property(source(hostile), (text) => {
        const written = safeMarkdown(text);
        // Read as GitHub would, raw HTML allowed: none is found, and every link or image is safe.
        const nodes: Array<{ type: string; url?: string; children?: unknown[] }> = [];
        const walk = (node: { type: string; url?: string; children?: unknown[] }) => {
          nodes.push(node);
          for (const child of node.children ?? []) walk(child as typeof node);
        };
        walk(fromMarkdown(written, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));
        expect(nodes.filter((n) => n.type === "html").length, written).toBe(0);
        for (const node of nodes) if (node.url !== undefined) expect(isSafeHref(node.url), written).toBe(true);
      }),
      { numRuns: 400, seed: 14 },
    );
  }, 60_000);

  it("escapes text so it stays text", () => {
    expect(markdownSource(parseMarkdown("\\# not a heading"))).toBe("\\# not a heading");
    expect(markdownSource({ type: "root", children: [para(text("# a\n- b\n1. c\n<i>d</i> &amp; e_f"))] })).toBe(
      "\\# a\n\\- b\n1\\. c\n\\<i\\>d\\</i\\> \\&amp; e\\_f",
    );
  });
});
