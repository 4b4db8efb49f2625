import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../../components/markdown";
import { isSafeHref, markdownToPlainText, parseMarkdown, type Block, type Inline } from "./markdown";

const text = (value: string): Inline => ({ type: "text", value });
const para = (...children: Inline[]): Block => ({ type: "paragraph", children });
const inline = (source: string): Inline[] => {
  const blocks = parseMarkdown(source);
  expect(blocks).toHaveLength(1);
  const block = blocks[0];
  if (block?.type !== "paragraph") throw new Error(`expected a paragraph, got ${JSON.stringify(blocks)}`);
  return block.children;
};
const render = (source: string, className?: string) => renderToStaticMarkup(createElement(Markdown, { source, className }));

describe("parseMarkdown: blocks", () => {
  it("returns no blocks for empty or blank input", () => {
    expect(parseMarkdown("")).toEqual([]);
    expect(parseMarkdown("  \n\t\n")).toEqual([]);
  });

  it("parses ATX headings of every level, with optional closing hashes", () => {
    expect(parseMarkdown("# One\n## Two ##\n### Three\n#### Four\n##### Five\n###### Six")).toEqual([
      { type: "heading", level: 1, children: [text("One")] },
      { type: "heading", level: 2, children: [text("Two")] },
      { type: "heading", level: 3, children: [text("Three")] },
      { type: "heading", level: 4, children: [text("Four")] },
      { type: "heading", level: 5, children: [text("Five")] },
      { type: "heading", level: 6, children: [text("Six")] },
    ]);
  });

  it("does not treat #hashtags or seven hashes as headings", () => {
    expect(parseMarkdown("#hashtag")).toEqual([para(text("#hashtag"))]);
    expect(parseMarkdown("####### seven")).toEqual([para(text("####### seven"))]);
    expect(parseMarkdown("# C\\#")).toEqual([{ type: "heading", level: 1, children: [text("C#")] }]);
  });

  it("parses setext headings", () => {
    expect(parseMarkdown("Title\n=====\n\nSub\n---")).toEqual([
      { type: "heading", level: 1, children: [text("Title")] },
      { type: "heading", level: 2, children: [text("Sub")] },
    ]);
  });

  it("joins consecutive lines of a paragraph with a space and separates paragraphs on blank lines", () => {
    expect(parseMarkdown("first line\n   second line\n\nnext paragraph")).toEqual([
      para(text("first line second line")),
      para(text("next paragraph")),
    ]);
  });

  it("turns two trailing spaces or a trailing backslash into a hard break", () => {
    expect(inline("one  \ntwo\\\nthree")).toEqual([text("one"), { type: "break" }, text("two"), { type: "break" }, text("three")]);
    // Trailing spaces / backslash on the last line are not breaks.
    expect(inline("end  ")).toEqual([text("end")]);
    expect(inline("end\\")).toEqual([text("end\\")]);
  });

  it("parses unordered lists with -, * and +", () => {
    expect(parseMarkdown("- a\n* b\n+ c")).toEqual([
      { type: "list", ordered: false, items: [[text("a")], [text("b")], [text("c")]] },
    ]);
  });

  it("parses ordered lists, continuation lines and loose items", () => {
    expect(parseMarkdown("1. first\n   continued\n2. second\n\n3. third")).toEqual([
      { type: "list", ordered: true, items: [[text("first continued")], [text("second")], [text("third")]] },
    ]);
  });

  it("keeps hard breaks and indented follow-up paragraphs inside list items", () => {
    expect(parseMarkdown("- one  \n  more\n\n  second paragraph\n- two")).toEqual([
      {
        type: "list",
        ordered: false,
        items: [
          [text("one"), { type: "break" }, text("more"), { type: "break" }, { type: "break" }, text("second paragraph")],
          [text("two")],
        ],
      },
    ]);
    expect(parseMarkdown("- a\n\nnot in the list")).toEqual([
      { type: "list", ordered: false, items: [[text("a")]] },
      para(text("not in the list")),
    ]);
  });

  it("flattens nested list items into the parent list", () => {
    expect(parseMarkdown("- a\n  - nested\n    1. deeper\n- b")).toEqual([
      { type: "list", ordered: false, items: [[text("a")], [text("nested")], [text("deeper")], [text("b")]] },
    ]);
  });

  it("starts a new list when the kind changes at the top level", () => {
    expect(parseMarkdown("- a\n1. b")).toEqual([
      { type: "list", ordered: false, items: [[text("a")]] },
      { type: "list", ordered: true, items: [[text("b")]] },
    ]);
  });

  it("lets lists interrupt paragraphs, but not with numbers other than 1", () => {
    expect(parseMarkdown("Intro:\n- a")).toEqual([para(text("Intro:")), { type: "list", ordered: false, items: [[text("a")]] }]);
    expect(parseMarkdown("In the year\n1984. it was cold")).toEqual([para(text("In the year 1984. it was cold"))]);
  });

  it("parses fenced code blocks verbatim, with or without a language", () => {
    const source = "```python\nif a < b and c > d:\n    print('**not bold** <b>')\n\n```\n~~~\nx\n~~~";
    expect(parseMarkdown(source)).toEqual([
      { type: "code", value: "if a < b and c > d:\n    print('**not bold** <b>')\n" },
      { type: "code", value: "x" },
    ]);
  });

  it("runs an unclosed fence to the end of the document", () => {
    expect(parseMarkdown("```\n# not a heading")).toEqual([{ type: "code", value: "# not a heading" }]);
  });

  it("parses block quotes, with lazy continuation and paragraph breaks", () => {
    expect(parseMarkdown("> quoted *text*\nlazy\n>\n> second")).toEqual([
      {
        type: "quote",
        children: [
          text("quoted "),
          { type: "em", children: [text("text")] },
          text(" lazy"),
          { type: "break" },
          { type: "break" },
          text("second"),
        ],
      },
    ]);
    expect(parseMarkdown("> > nested")).toEqual([{ type: "quote", children: [text("nested")] }]);
  });

  it("parses GFM pipe tables, ignoring alignment and normalising the column count", () => {
    const source = "| Metric | Value |\n|:--- | ---:|\n| **AUC** | 0.91 |\n| F1 | 0.8 | extra |\n| short |\n\nafter";
    expect(parseMarkdown(source)).toEqual([
      {
        type: "table",
        header: [[text("Metric")], [text("Value")]],
        rows: [
          [[{ type: "strong", children: [text("AUC")] }], [text("0.91")]],
          [[text("F1")], [text("0.8")]],
          [[text("short")], []],
        ],
      },
      para(text("after")),
    ]);
  });

  it("supports tables without outer pipes and escaped pipes in cells", () => {
    expect(parseMarkdown("a | b\n--|:-:\n`x \\| y` | c")).toEqual([
      {
        type: "table",
        header: [[text("a")], [text("b")]],
        rows: [[[{ type: "code", value: "x | y" }], [text("c")]]],
      },
    ]);
  });

  it("does not treat a mismatched separator as a table", () => {
    expect(parseMarkdown("a | b | c\n|---|---|")[0]?.type).toBe("paragraph");
  });

  it("lets a table interrupt a paragraph", () => {
    expect(parseMarkdown("Results:\n| a |\n| - |\n| 1 |").map((b) => b.type)).toEqual(["paragraph", "table"]);
  });

  it("parses horizontal rules", () => {
    expect(parseMarkdown("a\n\n---\n\n***\n\n_ _ _\n\n- - -")).toEqual([
      para(text("a")),
      { type: "rule" },
      { type: "rule" },
      { type: "rule" },
      { type: "rule" },
    ]);
    // "***" interrupts a paragraph (it cannot be a setext underline).
    expect(parseMarkdown("text\n***")).toEqual([para(text("text")), { type: "rule" }]);
  });

  it("normalises Windows line endings", () => {
    expect(parseMarkdown("# A\r\n\r\nb\r\nc")).toEqual([{ type: "heading", level: 1, children: [text("A")] }, para(text("b c"))]);
  });
});

describe("parseMarkdown: inlines", () => {
  it("parses strong and emphasis with both delimiters", () => {
    expect(inline("**a** __b__ *c* _d_")).toEqual([
      { type: "strong", children: [text("a")] },
      text(" "),
      { type: "strong", children: [text("b")] },
      text(" "),
      { type: "em", children: [text("c")] },
      text(" "),
      { type: "em", children: [text("d")] },
    ]);
  });

  it("nests emphasis", () => {
    expect(inline("***both***")).toEqual([{ type: "em", children: [{ type: "strong", children: [text("both")] }] }]);
    expect(inline("**bold *and italic***")).toEqual([
      { type: "strong", children: [text("bold "), { type: "em", children: [text("and italic")] }] },
    ]);
  });

  it("does not use _ for emphasis inside words", () => {
    expect(inline("snake_case_name and 2*3*4")).toEqual([
      text("snake_case_name and 2"),
      { type: "em", children: [text("3")] },
      text("4"),
    ]);
    expect(inline("max_tokens_per_request")).toEqual([text("max_tokens_per_request")]);
  });

  it("leaves unmatched or space-surrounded delimiters as text", () => {
    expect(inline("a * b ** c")).toEqual([text("a * b ** c")]);
    expect(inline("**unclosed")).toEqual([text("**unclosed")]);
  });

  it("follows CommonMark delimiter rules for tricky emphasis", () => {
    expect(inline("*foo**bar**baz*")).toEqual([
      { type: "em", children: [text("foo"), { type: "strong", children: [text("bar")] }, text("baz")] },
    ]);
    expect(inline("_foo_bar_")).toEqual([{ type: "em", children: [text("foo_bar")] }]);
    expect(inline("**foo*")).toEqual([text("*"), { type: "em", children: [text("foo")] }]);
    expect(inline("*see [the card](https://x.example)*")).toEqual([
      { type: "em", children: [text("see "), { type: "link", href: "https://x.example", children: [text("the card")] }] },
    ]);
    // Emphasis cannot span a link boundary.
    expect(inline("*a [b* c](https://x.example)")).toEqual([
      text("*a "),
      { type: "link", href: "https://x.example", children: [text("b* c")] },
    ]);
  });

  it("parses code spans verbatim", () => {
    expect(inline("use `x **y** <b>` and ``a ` b``")).toEqual([
      text("use "),
      { type: "code", value: "x **y** <b>" },
      text(" and "),
      { type: "code", value: "a ` b" },
    ]);
    expect(inline("`unclosed")).toEqual([text("`unclosed")]);
  });

  it("parses links with nested formatting and optional titles", () => {
    expect(inline('see [the **docs**](https://docs.example/a_(b) "Title")')).toEqual([
      text("see "),
      { type: "link", href: "https://docs.example/a_(b)", children: [text("the "), { type: "strong", children: [text("docs")] }] },
    ]);
    expect(inline("[mail](<mailto:ethics@example.org>)")).toEqual([
      { type: "link", href: "mailto:ethics@example.org", children: [text("mail")] },
    ]);
  });

  it("does not nest links", () => {
    expect(inline("[a [b](https://b.example) c](https://a.example)")).toEqual([
      text("[a "),
      { type: "link", href: "https://b.example", children: [text("b")] },
      text(" c](https://a.example)"),
    ]);
  });

  it("renders a disallowed link as its text", () => {
    expect(inline("[click](javascript:alert(1))")).toEqual([text("click")]);
    expect(inline("[rel](./relative)")).toEqual([text("rel")]);
  });

  it("keeps brackets that are not links", () => {
    expect(inline("[not a link] and [x] (y)")).toEqual([text("[not a link] and [x] (y)")]);
  });

  it("renders images as their alt text", () => {
    expect(inline("![a *chart*](https://img.example/c.png) ok")).toEqual([
      text("a "),
      { type: "em", children: [text("chart")] },
      text(" ok"),
    ]);
  });

  it("parses autolinks and email autolinks", () => {
    expect(inline("<https://example.com/x?a=1> <team@example.com>")).toEqual([
      { type: "link", href: "https://example.com/x?a=1", children: [text("https://example.com/x?a=1")] },
      text(" "),
      { type: "link", href: "mailto:team@example.com", children: [text("team@example.com")] },
    ]);
    expect(inline("<javascript:alert(1)>")).toEqual([text("<javascript:alert(1)>")]);
  });

  it("handles backslash escapes of punctuation only", () => {
    expect(inline("\\*not em\\* \\_x\\_ \\[y\\](z) \\`c\\` \\\\ \\a")).toEqual([text("*not em* _x_ [y](z) `c` \\ \\a")]);
  });

  it("keeps HTML and entities as literal text", () => {
    expect(inline("<b>bold</b> &amp; &lt;script&gt;")).toEqual([text("<b>bold</b> &amp; &lt;script&gt;")]);
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
  "div", "h4", "h5", "h6", "p", "ul", "ol", "li", "pre", "code", "blockquote",
  "table", "thead", "tbody", "tr", "th", "td", "hr", "strong", "em", "a", "br",
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
    for (const file of ["./markdown.ts", "../../components/markdown.tsx"]) {
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
      "1. first",
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
    ].join("\n");
    expect(render(source, "card")).toBe(
      '<div class="markdown card">' +
        "<p>Intro with <strong>bold</strong>, <em>em</em>, <code>code</code> and a<br/>break.</p>" +
        "<ul><li>one</li><li>two</li></ul>" +
        "<ol><li>first</li></ol>" +
        "<pre><code>x &lt; 1</code></pre>" +
        "<blockquote>quote</blockquote>" +
        '<table><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td>c</td></tr></tbody></table>' +
        "<hr/>" +
        "</div>",
    );
  });

  it("uses just the markdown class when no className is given", () => {
    expect(render("")).toBe('<div class="markdown"></div>');
  });
});

describe("markdownToPlainText", () => {
  it("flattens blocks to text with bullets, numbered items and link URLs", () => {
    const source = [
      "# Intended use",
      "",
      "Use **only** for *triage*; see [the policy](https://policy.example/ai) or <help@example.org>.",
      "",
      "- first",
      "- second",
      "",
      "1. alpha",
      "2. beta",
      "",
      "> Quoted",
      "",
      "| a | b |",
      "|---|---|",
      "| 1 | 2 |",
      "",
      "***",
      "",
      "```",
      "raw <code>",
      "```",
      "",
      "[bad](javascript:alert(1)) ![img](https://x.example/i.png) <https://auto.example>",
    ].join("\n");
    expect(markdownToPlainText(source)).toBe(
      [
        "Intended use",
        "",
        "Use only for triage; see the policy (https://policy.example/ai) or help@example.org.",
        "",
        "• first",
        "• second",
        "",
        "1. alpha",
        "2. beta",
        "",
        "Quoted",
        "",
        "a | b",
        "1 | 2",
        "",
        "raw <code>",
        "",
        "bad img https://auto.example",
      ].join("\n"),
    );
  });

  it("keeps hard breaks as newlines and returns an empty string for empty input", () => {
    expect(markdownToPlainText("a  \nb")).toBe("a\nb");
    expect(markdownToPlainText("")).toBe("");
  });
});

describe("pathological input", () => {
  const bound = 2000;
  const inputs: Array<[string, string]> = [
    ["50,000 *", "*".repeat(50_000)],
    ["50,000 [", "[".repeat(50_000)],
    ["50,000 _", "_".repeat(50_000)],
    ["50,000 `", "`".repeat(50_000)],
    ["50,000 <", "<".repeat(50_000)],
    ["*a alternating", "*a ".repeat(33_000)],
    ["a** alternating", "a**b ".repeat(20_000)],
    ["nested stars around a word", `${"*".repeat(25_000)}a${"*".repeat(25_000)}`],
    ["unclosed link tails", "[a](".repeat(25_000)],
    ["link tails with parens", "[](".repeat(33_000)],
    ["unclosed titles", '[a](b "'.repeat(14_000)],
    ["brackets then links", `${"[".repeat(30_000)}${"[a](https://x.example)".repeat(3_000)}`],
    ["backtick runs of growing length", Array.from({ length: 400 }, (_, i) => "`".repeat(i + 1)).join(" ")],
    ["many lines", "a\n".repeat(50_000)],
    ["many list items", "- item\n".repeat(14_000)],
    ["deep quotes", ">".repeat(100_000)],
    ["table-ish lines", "| a | b |\n".repeat(10_000)],
    ["spaces then break", `a${" ".repeat(50_000)}b\\\nc${" ".repeat(50_000)}`],
    ["long autolink-ish", `<https://${"a".repeat(100_000)}`],
    ["emphasis soup", "*_**__".repeat(16_000)],
  ];

  it.each(inputs)("%s finishes quickly", (_name, source) => {
    let started = Date.now();
    const blocks = parseMarkdown(source);
    expect(Date.now() - started).toBeLessThan(bound);
    expect(Array.isArray(blocks)).toBe(true);

    started = Date.now();
    expect(typeof markdownToPlainText(source)).toBe("string");
    expect(Date.now() - started).toBeLessThan(bound);

    // Rendering the (possibly huge) element tree is React's work; just make sure it completes.
    started = Date.now();
    expect(render(source).startsWith('<div class="markdown">')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2 * bound);
  });

  it("caps emphasis nesting depth on pathological input", () => {
    const depth = (nodes: Inline[]): number =>
      nodes.reduce((max, n) => Math.max(max, "children" in n ? 1 + depth(n.children) : 0), 0);
    const [block] = parseMarkdown(`${"*".repeat(10_000)}a${"*".repeat(10_000)}`);
    expect(block?.type).toBe("paragraph");
    if (block?.type === "paragraph") expect(depth(block.children)).toBeLessThanOrEqual(24);
  });
});
