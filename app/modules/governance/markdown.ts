/**
 * A small, dependency-free Markdown parser for model cards.
 *
 * Safety model: the parser never produces HTML. It turns Markdown source into
 * a plain-data AST (`Block[]` / `Inline[]`) that the React renderer
 * (`app/components/markdown.tsx`) turns into elements, so raw HTML tags,
 * entities and scripts in the source can only ever become text. HTML
 * entities are deliberately NOT decoded (`&lt;` stays the four characters
 * `&lt;`), which also closes the `&#106;avascript:` bypass for links.
 *
 * Links are only produced for `http:`, `https:` and `mailto:` URLs (see
 * `isSafeHref`); any other link, and every image, degrades to its text.
 *
 * Performance: every scan is linear or bounded (no backtracking regexes on
 * unbounded input, CommonMark's "openers bottom" for emphasis, a pre-computed
 * index of backtick runs for code spans, bounded look-ahead for link
 * destinations), so pathological input such as 50,000 `*` or `[` is cheap.
 *
 * Supported: ATX and setext headings, paragraphs (soft breaks become spaces;
 * two trailing spaces or a trailing backslash make a hard break), flat
 * bullet / ordered lists (nested items are flattened), fenced code blocks,
 * block quotes (flattened to inline content), GFM pipe tables, thematic
 * breaks, `**strong**`, `__strong__`, `*em*`, `_em_`, `` `code` ``,
 * `[text](url "title")`, `<https://autolinks>`, `<user@example.com>` and
 * backslash escapes. Not supported (rendered as text): raw HTML, reference
 * links, indented code blocks, nested blocks inside lists/quotes.
 */

export type Inline =
  | { type: "text"; value: string }
  | { type: "strong"; children: Inline[] }
  | { type: "em"; children: Inline[] }
  | { type: "code"; value: string }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "break" };

export type Block =
  | { type: "heading"; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { type: "paragraph"; children: Inline[] }
  | { type: "list"; ordered: boolean; items: Inline[][] }
  | { type: "code"; value: string }
  | { type: "quote"; children: Inline[] }
  | { type: "table"; header: Inline[][]; rows: Inline[][][] }
  | { type: "rule" };

/* ------------------------------------------------------------------------ */
/* URL policy                                                                */
/* ------------------------------------------------------------------------ */

// Any whitespace (Unicode-aware), C0/C1 control characters and DEL.
const UNSAFE_URL_CHARS = /[\s\u0000-\u001f\u007f-\u009f]/u;

/**
 * True when `href` may be rendered as a live link: after trimming and
 * lower-casing it must start with `http://`, `https://` (with a host part)
 * or `mailto:` (with an address), and contain no whitespace or control
 * characters. Everything else — `javascript:`, `data:`, `vbscript:`,
 * relative and protocol-relative (`//host`) URLs — is rejected.
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

/* ------------------------------------------------------------------------ */
/* Character classes                                                         */
/* ------------------------------------------------------------------------ */

const ASCII_PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".split(""));
const UNICODE_WHITESPACE = /^\s$/u;
const UNICODE_PUNCTUATION = /^[\p{P}\p{S}]$/u;

function isAsciiPunctuation(ch: string | undefined): ch is string {
  return ch !== undefined && ASCII_PUNCTUATION.has(ch);
}

/** The (possibly astral) character ending just before index `i`, or "\n" at the start. */
function charBefore(src: string, i: number): string {
  if (i <= 0) return "\n";
  const code = src.charCodeAt(i - 1);
  if (code >= 0xdc00 && code <= 0xdfff && i >= 2) return src.slice(i - 2, i);
  return src.charAt(i - 1);
}

/** The (possibly astral) character starting at index `i`, or "\n" at the end. */
function charAfter(src: string, i: number): string {
  if (i >= src.length) return "\n";
  const cp = src.codePointAt(i);
  return cp === undefined ? "\n" : String.fromCodePoint(cp);
}

const isWhitespaceChar = (ch: string) => UNICODE_WHITESPACE.test(ch);
const isPunctuationChar = (ch: string) => UNICODE_PUNCTUATION.test(ch);

/* ------------------------------------------------------------------------ */
/* Inline parsing                                                            */
/* ------------------------------------------------------------------------ */

/** Longest link destination / title we look ahead for (bounds worst-case work). */
const MAX_LINK_DESTINATION = 4096;
const MAX_LINK_TITLE = 1024;
const MAX_PAREN_DEPTH = 32;
const MAX_AUTOLINK = 2048;
/** Deeper emphasis nesting than this (only pathological input) is flattened. */
const MAX_INLINE_DEPTH = 24;

type ItemKind = "text" | "nodes" | "delim" | "bracket";

/** A node of the doubly-linked list of inline pieces built while scanning. */
interface Item {
  kind: ItemKind;
  /** Literal text for "text", "delim" (remaining delimiter chars) and "bracket". */
  text: string;
  /** Finished nodes for "nodes" (flattened into the parent on collection). */
  nodes: Inline[];
  /** Nesting depth of `nodes`. */
  depth: number;
  prev: Item | null;
  next: Item | null;
}

interface Delimiter {
  item: Item;
  char: "*" | "_";
  count: number;
  originalCount: number;
  canOpen: boolean;
  canClose: boolean;
  prev: Delimiter | null;
  next: Delimiter | null;
}

interface Bracket {
  item: Item;
  image: boolean;
  seq: number;
  /** Top of the delimiter stack when the bracket was pushed. */
  delimiterBottom: Delimiter | null;
  prev: Bracket | null;
}

function makeItem(kind: ItemKind, text: string, nodes: Inline[] = [], depth = 0): Item {
  return { kind, text, nodes, depth, prev: null, next: null };
}

function isInlineSpecial(code: number): boolean {
  return (
    code === 0x5c /* \ */ ||
    code === 0x60 /* ` */ ||
    code === 0x2a /* * */ ||
    code === 0x5f /* _ */ ||
    code === 0x5b /* [ */ ||
    code === 0x5d /* ] */ ||
    code === 0x21 /* ! */ ||
    code === 0x3c /* < */ ||
    code === 0x0a /* \n */
  );
}

function isSpaceOrTab(ch: string | undefined): boolean {
  return ch === " " || ch === "\t";
}

/** Skips spaces/tabs and at most one line ending. */
function skipLinkWhitespace(src: string, p: number): number {
  let newline = false;
  while (p < src.length) {
    const ch = src.charAt(p);
    if (ch === " " || ch === "\t") p++;
    else if (ch === "\n" && !newline) {
      newline = true;
      p++;
    } else break;
  }
  return p;
}

/**
 * Parses `(destination "optional title")` starting at `p` (which must be the
 * `(`). Returns the unescaped destination and the index after `)`, or null.
 */
function parseLinkTail(src: string, p: number): { destination: string; end: number } | null {
  if (src.charAt(p) !== "(") return null;
  p = skipLinkWhitespace(src, p + 1);
  let destination = "";
  if (src.charAt(p) === "<") {
    let q = p + 1;
    for (;;) {
      if (q >= src.length || q - p > MAX_LINK_DESTINATION) return null;
      const ch = src.charAt(q);
      if (ch === ">") break;
      if (ch === "\n" || ch === "<") return null;
      const next = src.charAt(q + 1);
      if (ch === "\\" && isAsciiPunctuation(next)) {
        destination += next;
        q += 2;
      } else {
        destination += ch;
        q++;
      }
    }
    p = q + 1;
  } else {
    let q = p;
    let depth = 0;
    while (q < src.length) {
      if (q - p > MAX_LINK_DESTINATION) return null;
      const code = src.charCodeAt(q);
      if (code <= 0x20 || code === 0x7f) break;
      const ch = src.charAt(q);
      const next = src.charAt(q + 1);
      if (ch === "\\" && isAsciiPunctuation(next)) {
        destination += next;
        q += 2;
        continue;
      }
      if (ch === "(") {
        depth++;
        if (depth > MAX_PAREN_DEPTH) return null;
      } else if (ch === ")") {
        if (depth === 0) break;
        depth--;
      }
      destination += ch;
      q++;
    }
    if (depth !== 0) return null;
    p = q;
  }
  const afterDestination = p;
  p = skipLinkWhitespace(src, p);
  const opener = src.charAt(p);
  if (p > afterDestination && (opener === '"' || opener === "'" || opener === "(")) {
    const closer = opener === "(" ? ")" : opener;
    let q = p + 1;
    for (;;) {
      if (q >= src.length || q - p > MAX_LINK_TITLE) return null;
      const ch = src.charAt(q);
      if (ch === "\\") {
        q += 2;
        continue;
      }
      if (ch === closer) break;
      if (opener === "(" && ch === "(") return null;
      q++;
    }
    p = skipLinkWhitespace(src, q + 1);
  }
  if (src.charAt(p) !== ")") return null;
  return { destination, end: p + 1 };
}

const AUTOLINK_URI = /^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*$/;
const AUTOLINK_EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

class InlineParser {
  private readonly src: string;
  private pos = 0;
  private head: Item | null = null;
  private tail: Item | null = null;
  private buffer = "";
  private delimiterTop: Delimiter | null = null;
  private bracketTop: Bracket | null = null;
  private bracketSeq = 0;
  /** Non-image brackets with a smaller sequence number can no longer form links. */
  private linkBarrier = -1;
  private backtickRuns: Map<number, number[]> | null = null;
  private readonly backtickCursor = new Map<number, number>();

  constructor(src: string) {
    this.src = src;
  }

  parse(): Inline[] {
    const src = this.src;
    while (this.pos < src.length) {
      const ch = src.charAt(this.pos);
      switch (ch) {
        case "\\":
          this.parseBackslash();
          break;
        case "`":
          this.parseCodeSpan();
          break;
        case "*":
        case "_":
          this.parseDelimiterRun(ch);
          break;
        case "[":
          this.pushBracket(false);
          this.pos += 1;
          break;
        case "!":
          if (src.charAt(this.pos + 1) === "[") {
            this.pushBracket(true);
            this.pos += 2;
          } else {
            this.buffer += "!";
            this.pos += 1;
          }
          break;
        case "]":
          this.closeBracket();
          break;
        case "<":
          this.parseAutolink();
          break;
        case "\n":
          this.parseNewline();
          break;
        default: {
          let end = this.pos + 1;
          while (end < src.length && !isInlineSpecial(src.charCodeAt(end))) end++;
          // Spaces before a line ending are never emitted: they are either
          // dropped (soft break) or become a hard break (see parseNewline).
          let textEnd = end;
          if (src.charCodeAt(end) === 0x0a) while (textEnd > this.pos && src.charCodeAt(textEnd - 1) === 0x20) textEnd--;
          this.buffer += src.slice(this.pos, textEnd);
          this.pos = end;
        }
      }
    }
    this.flush();
    this.processEmphasis(null);
    return this.collect(this.head, null).nodes;
  }

  /* -- list plumbing ----------------------------------------------------- */

  private append(item: Item): void {
    item.prev = this.tail;
    item.next = null;
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
  }

  private flush(): void {
    if (this.buffer !== "") {
      this.append(makeItem("text", this.buffer));
      this.buffer = "";
    }
  }

  private appendNodes(nodes: Inline[], depth: number): void {
    this.flush();
    this.append(makeItem("nodes", "", nodes, depth));
  }

  private removeItem(item: Item): void {
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
    item.prev = item.next = null;
  }

  /** Converts the items from `from` up to (excluding) `until` to inline nodes. */
  private collect(from: Item | null, until: Item | null): { nodes: Inline[]; depth: number } {
    const nodes: Inline[] = [];
    let depth = 0;
    let text = "";
    const flushText = () => {
      if (text !== "") nodes.push({ type: "text", value: text });
      text = "";
    };
    for (let item = from; item && item !== until; item = item.next) {
      if (item.kind === "nodes") {
        for (const node of item.nodes) {
          if (node.type === "text") text += node.value;
          else {
            flushText();
            nodes.push(node);
          }
        }
        depth = Math.max(depth, item.depth);
      } else {
        text += item.text;
      }
    }
    flushText();
    return { nodes, depth };
  }

  /* -- constructs -------------------------------------------------------- */

  private parseBackslash(): void {
    const next = this.src.charAt(this.pos + 1);
    if (next === "\n") {
      this.appendNodes([{ type: "break" }], 0);
      this.pos = this.skipLineIndent(this.pos + 2);
    } else if (isAsciiPunctuation(next)) {
      this.buffer += next;
      this.pos += 2;
    } else {
      this.buffer += "\\";
      this.pos += 1;
    }
  }


  private skipLineIndent(p: number): number {
    while (p < this.src.length && isSpaceOrTab(this.src.charAt(p))) p++;
    return p;
  }

  private parseNewline(): void {
    // The trailing spaces themselves were kept out of the buffer (see parse()).
    let start = this.pos;
    while (start > 0 && this.src.charCodeAt(start - 1) === 0x20) start--;
    const trailingSpaces = this.pos - start;
    if (trailingSpaces >= 2) this.appendNodes([{ type: "break" }], 0);
    else this.buffer += " ";
    this.pos = this.skipLineIndent(this.pos + 1);
  }

  /** Start index of the first backtick run of exactly `length` starting at or after `from`, or -1. */
  private findBacktickRun(length: number, from: number): number {
    if (!this.backtickRuns) {
      const runs = new Map<number, number[]>();
      const src = this.src;
      let i = 0;
      while (i < src.length) {
        if (src.charCodeAt(i) !== 0x60) {
          i++;
          continue;
        }
        const start = i;
        while (i < src.length && src.charCodeAt(i) === 0x60) i++;
        const list = runs.get(i - start);
        if (list) list.push(start);
        else runs.set(i - start, [start]);
      }
      this.backtickRuns = runs;
    }
    const positions = this.backtickRuns.get(length);
    if (!positions) return -1;
    // Openers are visited left to right, so the cursor only ever moves forward.
    let cursor = this.backtickCursor.get(length) ?? 0;
    while (cursor < positions.length && (positions[cursor] ?? Infinity) < from) cursor++;
    this.backtickCursor.set(length, cursor);
    return positions[cursor] ?? -1;
  }

  private parseCodeSpan(): void {
    const src = this.src;
    const start = this.pos;
    let end = start;
    while (end < src.length && src.charCodeAt(end) === 0x60) end++;
    const length = end - start;
    const closer = this.findBacktickRun(length, end);
    if (closer < 0) {
      this.buffer += src.slice(start, end);
      this.pos = end;
      return;
    }
    let value = src.slice(end, closer).replace(/\n/g, " ");
    if (value.length >= 2 && value.startsWith(" ") && value.endsWith(" ") && value.trim() !== "") {
      value = value.slice(1, -1);
    }
    this.appendNodes([{ type: "code", value }], 0);
    this.pos = closer + length;
  }

  private parseDelimiterRun(char: "*" | "_"): void {
    const src = this.src;
    const start = this.pos;
    let end = start;
    while (end < src.length && src.charAt(end) === char) end++;
    this.pos = end;
    const before = charBefore(src, start);
    const after = charAfter(src, end);
    const beforeWs = isWhitespaceChar(before);
    const afterWs = isWhitespaceChar(after);
    const beforePunct = isPunctuationChar(before);
    const afterPunct = isPunctuationChar(after);
    const leftFlanking = !afterWs && (!afterPunct || beforeWs || beforePunct);
    const rightFlanking = !beforeWs && (!beforePunct || afterWs || afterPunct);
    let canOpen: boolean;
    let canClose: boolean;
    if (char === "*") {
      canOpen = leftFlanking;
      canClose = rightFlanking;
    } else {
      // `_` does not open/close inside words (snake_case_names stay literal).
      canOpen = leftFlanking && (!rightFlanking || beforePunct);
      canClose = rightFlanking && (!leftFlanking || afterPunct);
    }
    const text = src.slice(start, end);
    if (!canOpen && !canClose) {
      this.buffer += text;
      return;
    }
    this.flush();
    const item = makeItem("delim", text);
    this.append(item);
    const delimiter: Delimiter = {
      item,
      char,
      count: text.length,
      originalCount: text.length,
      canOpen,
      canClose,
      prev: this.delimiterTop,
      next: null,
    };
    if (this.delimiterTop) this.delimiterTop.next = delimiter;
    this.delimiterTop = delimiter;
  }

  private pushBracket(image: boolean): void {
    this.flush();
    const item = makeItem("bracket", image ? "![" : "[");
    this.append(item);
    this.bracketTop = {
      item,
      image,
      seq: this.bracketSeq++,
      delimiterBottom: this.delimiterTop,
      prev: this.bracketTop,
    };
  }

  private closeBracket(): void {
    const bracket = this.bracketTop;
    const literal = () => {
      if (bracket) this.bracketTop = bracket.prev;
      this.buffer += "]";
      this.pos += 1;
    };
    if (!bracket) return literal();
    if (!bracket.image && bracket.seq < this.linkBarrier) return literal();
    const tail = parseLinkTail(this.src, this.pos + 1);
    if (!tail) return literal();

    this.flush();
    this.processEmphasis(bracket.delimiterBottom);
    const { nodes: children, depth } = this.collect(bracket.item.next, null);
    // Drop the bracket item and everything after it; they are now `children`.
    this.tail = bracket.item.prev;
    if (this.tail) this.tail.next = null;
    else this.head = null;
    this.bracketTop = bracket.prev;
    this.pos = tail.end;

    if (bracket.image) {
      // Images are never rendered: keep only their alt text.
      this.appendNodes(children, depth);
      return;
    }
    // No links inside links: earlier `[` can no longer become links.
    this.linkBarrier = Math.max(this.linkBarrier, bracket.seq);
    const href = tail.destination.trim();
    if (isSafeHref(href)) this.appendNodes([{ type: "link", href, children }], depth + 1);
    else this.appendNodes(children, depth);
  }

  private parseAutolink(): void {
    const src = this.src;
    const start = this.pos;
    let end = start + 1;
    while (end < src.length && end - start <= MAX_AUTOLINK) {
      const code = src.charCodeAt(end);
      if (code === 0x3e /* > */ || code === 0x3c /* < */ || code <= 0x20 || code === 0x7f) break;
      end++;
    }
    if (src.charCodeAt(end) === 0x3e && end > start + 1) {
      const inner = src.slice(start + 1, end);
      if (AUTOLINK_URI.test(inner)) {
        if (isSafeHref(inner)) this.appendNodes([{ type: "link", href: inner, children: [{ type: "text", value: inner }] }], 1);
        else this.buffer += src.slice(start, end + 1);
        this.pos = end + 1;
        return;
      }
      if (AUTOLINK_EMAIL.test(inner)) {
        this.appendNodes([{ type: "link", href: `mailto:${inner}`, children: [{ type: "text", value: inner }] }], 1);
        this.pos = end + 1;
        return;
      }
    }
    this.buffer += "<";
    this.pos = start + 1;
  }

  /* -- emphasis (CommonMark "process emphasis") --------------------------- */

  private removeDelimiter(delimiter: Delimiter): void {
    if (delimiter.prev) delimiter.prev.next = delimiter.next;
    if (delimiter.next) delimiter.next.prev = delimiter.prev;
    else this.delimiterTop = delimiter.prev;
  }

  private processEmphasis(bottom: Delimiter | null): void {
    let first: Delimiter | null = null;
    for (let d = this.delimiterTop; d && d !== bottom; d = d.prev) first = d;

    const openersBottom = new Map<string, Delimiter | null>();
    let closer = first;
    while (closer) {
      if (!closer.canClose) {
        closer = closer.next;
        continue;
      }
      const key = `${closer.char}${closer.canOpen ? 1 : 0}${closer.originalCount % 3}`;
      const limit = openersBottom.has(key) ? openersBottom.get(key) : bottom;
      let opener = closer.prev;
      let found: Delimiter | null = null;
      while (opener && opener !== bottom && opener !== limit) {
        if (opener.char === closer.char && opener.canOpen) {
          const oddMatch =
            (opener.canClose || closer.canOpen) &&
            (opener.originalCount + closer.originalCount) % 3 === 0 &&
            !(opener.originalCount % 3 === 0 && closer.originalCount % 3 === 0);
          if (!oddMatch) {
            found = opener;
            break;
          }
        }
        opener = opener.prev;
      }

      if (!found) {
        openersBottom.set(key, closer.prev);
        const next: Delimiter | null = closer.next;
        if (!closer.canOpen) this.removeDelimiter(closer);
        closer = next;
        continue;
      }

      const use = closer.count >= 2 && found.count >= 2 ? 2 : 1;
      found.count -= use;
      closer.count -= use;
      found.item.text = found.item.text.slice(0, found.count);
      closer.item.text = closer.item.text.slice(0, closer.count);

      const { nodes: children, depth } = this.collect(found.item.next, closer.item);
      const wrapped: Item =
        depth + 1 > MAX_INLINE_DEPTH
          ? makeItem("nodes", "", children, depth)
          : makeItem("nodes", "", [{ type: use === 2 ? "strong" : "em", children }], depth + 1);
      // Replace everything between opener and closer with the new node.
      wrapped.prev = found.item;
      wrapped.next = closer.item;
      found.item.next = wrapped;
      closer.item.prev = wrapped;
      // Delimiters between opener and closer can no longer match.
      found.next = closer;
      closer.prev = found;

      if (found.count === 0) {
        this.removeItem(found.item);
        this.removeDelimiter(found);
      }
      if (closer.count === 0) {
        const next: Delimiter | null = closer.next;
        this.removeItem(closer.item);
        this.removeDelimiter(closer);
        closer = next;
      }
    }

    // Everything above `bottom` is now plain text.
    if (bottom) bottom.next = null;
    this.delimiterTop = bottom;
  }
}

/** Parses inline Markdown (may contain "\n" soft/hard line breaks). */
function parseInline(text: string): Inline[] {
  return new InlineParser(text).parse();
}

/* ------------------------------------------------------------------------ */
/* Block parsing                                                             */
/* ------------------------------------------------------------------------ */

function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** Number of leading spaces if at most 3 (i.e. a block marker may follow), else -1. */
function markerIndent(line: string): number {
  let i = 0;
  while (i < line.length && line.charAt(i) === " ") i++;
  if (i > 3 || line.charAt(i) === "\t") return -1;
  return i;
}

/** Indentation width (tabs count to the next multiple of 4) and its length in chars. */
function indentation(line: string): { width: number; length: number } {
  let width = 0;
  let length = 0;
  while (length < line.length) {
    const ch = line.charAt(length);
    if (ch === " ") width++;
    else if (ch === "\t") width += 4 - (width % 4);
    else break;
    length++;
  }
  return { width, length };
}

interface Fence {
  char: string;
  length: number;
  indent: number;
}

function matchFenceOpen(line: string): Fence | null {
  const indent = markerIndent(line);
  if (indent < 0) return null;
  const char = line.charAt(indent);
  if (char !== "`" && char !== "~") return null;
  let end = indent;
  while (line.charAt(end) === char) end++;
  const length = end - indent;
  if (length < 3) return null;
  if (char === "`" && line.includes("`", end)) return null;
  return { char, length, indent };
}

function isFenceClose(line: string, fence: Fence): boolean {
  const indent = markerIndent(line);
  if (indent < 0) return false;
  let end = indent;
  while (line.charAt(end) === fence.char) end++;
  return end - indent >= fence.length && isBlank(line.slice(end));
}

function stripIndent(line: string, count: number): string {
  let i = 0;
  while (i < count && line.charAt(i) === " ") i++;
  return line.slice(i);
}

function matchHeading(line: string): { level: 1 | 2 | 3 | 4 | 5 | 6; text: string } | null {
  const indent = markerIndent(line);
  if (indent < 0) return null;
  let end = indent;
  while (line.charAt(end) === "#") end++;
  const level = end - indent;
  if (level < 1 || level > 6) return null;
  const after = line.charAt(end);
  if (after !== "" && !isSpaceOrTab(after)) return null;
  let text = line.slice(end).trim();
  // Optional closing sequence: "## Title ##".
  let closing = text.length;
  while (closing > 0 && text.charAt(closing - 1) === "#") closing--;
  if (closing === 0) text = "";
  else if (closing < text.length && isSpaceOrTab(text.charAt(closing - 1))) text = text.slice(0, closing).trim();
  return { level: level as 1 | 2 | 3 | 4 | 5 | 6, text };
}

function isRule(line: string): boolean {
  if (markerIndent(line) < 0) return false;
  const trimmed = line.trim();
  const char = trimmed.charAt(0);
  if (char !== "-" && char !== "*" && char !== "_") return false;
  let count = 0;
  for (const ch of trimmed) {
    if (ch === char) count++;
    else if (ch !== " " && ch !== "\t") return false;
  }
  return count >= 3;
}

/** Setext underline: 1 for "===", 2 for "---", 0 otherwise. */
function setextLevel(line: string): 0 | 1 | 2 {
  if (markerIndent(line) < 0) return 0;
  const trimmed = line.trim();
  if (/^=+$/.test(trimmed)) return 1;
  if (/^-+$/.test(trimmed)) return 2;
  return 0;
}

interface ListMarker {
  ordered: boolean;
  number: number;
  indent: number;
  content: string;
}

function matchListItem(line: string): ListMarker | null {
  const { width, length } = indentation(line);
  const ch = line.charAt(length);
  let end: number;
  let ordered = false;
  let number = 0;
  if (ch === "-" || ch === "*" || ch === "+") {
    end = length + 1;
  } else {
    end = length;
    while (end < line.length && end - length < 9 && line.charCodeAt(end) >= 0x30 && line.charCodeAt(end) <= 0x39) end++;
    if (end === length) return null;
    const delimiter = line.charAt(end);
    if (delimiter !== "." && delimiter !== ")") return null;
    ordered = true;
    number = Number(line.slice(length, end));
    end++;
  }
  const after = line.charAt(end);
  if (after !== "" && !isSpaceOrTab(after)) return null;
  // Only leading space is trimmed: trailing spaces may be a hard break.
  return { ordered, number, indent: width, content: trimStartSpaces(line.slice(end)) };
}

/** Content of a `>` line with all (nested) quote markers removed, or null. */
function matchQuote(line: string): string | null {
  const indent = markerIndent(line);
  if (indent < 0 || line.charAt(indent) !== ">") return null;
  let p = indent + 1;
  for (;;) {
    if (isSpaceOrTab(line.charAt(p))) p++;
    let q = p;
    while (q < line.length && q - p <= 3 && line.charAt(q) === " ") q++;
    if (q - p <= 3 && line.charAt(q) === ">") p = q + 1;
    else return line.slice(p);
  }
}

/** Splits a table row into raw cell strings; `\|` becomes a literal `|`. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  let current = "";
  let sawTrailingPipe = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    sawTrailingPipe = false;
    if (ch === "\\" && i + 1 < text.length) {
      const next = text.charAt(i + 1);
      current += next === "|" ? "|" : ch + next;
      i++;
    } else if (ch === "|") {
      cells.push(current.trim());
      current = "";
      sawTrailingPipe = true;
    } else {
      current += ch;
    }
  }
  if (!sawTrailingPipe || current.trim() !== "") cells.push(current.trim());
  return cells;
}

/** Number of columns if `line` is a GFM delimiter row (`| --- | :-: |`), else 0. */
function separatorColumns(line: string): number {
  if (!line.includes("|") || !line.includes("-")) return 0;
  if (markerIndent(line) < 0) return 0;
  const cells = splitRow(line);
  for (const cell of cells) if (!/^:?-+:?$/.test(cell)) return 0;
  return cells.length;
}

function isTableStart(lines: string[], i: number): boolean {
  const header = lines[i];
  const separator = lines[i + 1];
  if (header === undefined || separator === undefined) return false;
  if (!header.includes("|") || markerIndent(header) < 0) return false;
  const columns = separatorColumns(separator);
  return columns > 0 && columns === splitRow(header).length;
}

/** Does line `i` start a block other than a paragraph continuation? */
function startsBlock(lines: string[], i: number, interruptingParagraph: boolean): boolean {
  const line = lines[i] ?? "";
  if (matchFenceOpen(line) || matchHeading(line) || isRule(line) || matchQuote(line) !== null) return true;
  const item = matchListItem(line);
  if (item && item.indent <= 3) {
    // As in CommonMark, only non-empty items (ordered ones starting at 1) interrupt a paragraph.
    if (!interruptingParagraph || (!isBlank(item.content) && (!item.ordered || item.number === 1))) return true;
  }
  return isTableStart(lines, i);
}

/** Inline content of a run of lines (leading indentation removed, final line end-trimmed). */
function trimStartSpaces(line: string): string {
  let start = 0;
  while (start < line.length && isSpaceOrTab(line.charAt(start))) start++;
  return line.slice(start);
}

function trimEndSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && isSpaceOrTab(line.charAt(end - 1))) end--;
  return line.slice(0, end);
}

function inlineFromLines(lines: string[]): Inline[] {
  const cleaned = lines.map(trimStartSpaces);
  const last = cleaned.length - 1;
  if (last >= 0) cleaned[last] = trimEndSpaces(cleaned[last] ?? "");
  // A trailing backslash on the final line is literal, not a hard break.
  return parseInline(cleaned.join("\n"));
}

/** Joins several paragraphs (or line groups) into one inline run, separated by `separator` breaks. */
function joinInline(parts: Inline[][], breaks: number): Inline[] {
  const out: Inline[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    if (out.length > 0) for (let b = 0; b < breaks; b++) out.push({ type: "break" });
    out.push(...part);
  }
  return out;
}

function parseList(lines: string[], start: number, first: ListMarker): { block: Block; next: number } {
  const ordered = first.ordered;
  const baseIndent = first.indent;
  // Each item is a list of paragraphs, each paragraph a list of lines.
  const items: string[][][] = [[[first.content]]];
  let current = items[0] as string[][];
  let i = start + 1;
  const sameList = (marker: ListMarker) => marker.ordered === ordered || marker.indent >= baseIndent + 2;

  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (isBlank(line)) {
      let j = i + 1;
      while (j < lines.length && isBlank(lines[j] ?? "")) j++;
      if (j >= lines.length) break;
      const nextLine = lines[j] ?? "";
      const marker = isRule(nextLine) ? null : matchListItem(nextLine);
      if (marker) {
        if (!sameList(marker)) break;
        i = j;
        continue;
      }
      // An indented paragraph after a blank line still belongs to the item.
      if (indentation(nextLine).width >= 2 && !startsBlock(lines, j, false)) {
        current.push([]);
        i = j;
        continue;
      }
      break;
    }
    if (isRule(line)) break;
    const marker = matchListItem(line);
    if (marker) {
      if (!sameList(marker)) break;
      current = [[marker.content]];
      items.push(current);
      i++;
      continue;
    }
    if (startsBlock(lines, i, false)) break;
    const paragraph = current[current.length - 1];
    if (paragraph) paragraph.push(line);
    else current.push([line]);
    i++;
  }

  return {
    block: {
      type: "list",
      ordered,
      items: items.map((paragraphs) => joinInline(paragraphs.filter((p) => p.some((l) => !isBlank(l))).map(inlineFromLines), 2)),
    },
    next: i,
  };
}

function parseQuote(lines: string[], start: number): { block: Block; next: number } {
  // Paragraphs of line groups; a group starts at list-item or heading lines so they stay on their own line.
  const paragraphs: string[][][] = [[]];
  let i = start;
  const lastParagraph = () => paragraphs[paragraphs.length - 1] as string[][];
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const content = matchQuote(line);
    if (content !== null) {
      if (isBlank(content)) {
        if (lastParagraph().length > 0) paragraphs.push([]);
      } else {
        const paragraph = lastParagraph();
        const group = paragraph[paragraph.length - 1];
        if (!group || matchListItem(content) || matchHeading(content)) paragraph.push([content]);
        else group.push(content);
      }
      i++;
      continue;
    }
    // Lazy continuation of the quote's current paragraph.
    const paragraph = lastParagraph();
    const group = paragraph[paragraph.length - 1];
    if (group && !isBlank(line) && !startsBlock(lines, i, true)) {
      group.push(line);
      i++;
      continue;
    }
    break;
  }
  const children = joinInline(
    paragraphs.map((groups) => joinInline(groups.map(inlineFromLines), 1)),
    2,
  );
  return { block: { type: "quote", children }, next: i };
}

function parseTable(lines: string[], start: number): { block: Block; next: number } {
  const headerCells = splitRow(lines[start] ?? "");
  const columns = headerCells.length;
  const header = headerCells.map((cell) => parseInline(cell));
  const rows: Inline[][][] = [];
  let i = start + 2;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (isBlank(line) || startsBlock(lines, i, false)) break;
    const cells = splitRow(line);
    const row: Inline[][] = [];
    for (let c = 0; c < columns; c++) row.push(parseInline(cells[c] ?? ""));
    rows.push(row);
    i++;
  }
  return { block: { type: "table", header, rows }, next: i };
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (isBlank(line)) {
      i++;
      continue;
    }

    const fence = matchFenceOpen(line);
    if (fence) {
      const content: string[] = [];
      i++;
      while (i < lines.length) {
        const codeLine = lines[i] ?? "";
        i++;
        if (isFenceClose(codeLine, fence)) break;
        content.push(stripIndent(codeLine, fence.indent));
      }
      blocks.push({ type: "code", value: content.join("\n") });
      continue;
    }

    const heading = matchHeading(line);
    if (heading) {
      blocks.push({ type: "heading", level: heading.level, children: parseInline(heading.text) });
      i++;
      continue;
    }

    if (isRule(line)) {
      blocks.push({ type: "rule" });
      i++;
      continue;
    }

    if (matchQuote(line) !== null) {
      const { block, next } = parseQuote(lines, i);
      blocks.push(block);
      i = next;
      continue;
    }

    const item = matchListItem(line);
    if (item && item.indent <= 3) {
      const { block, next } = parseList(lines, i, item);
      blocks.push(block);
      i = next;
      continue;
    }

    if (isTableStart(lines, i)) {
      const { block, next } = parseTable(lines, i);
      blocks.push(block);
      i = next;
      continue;
    }

    // Paragraph (possibly a setext heading).
    const paragraph: string[] = [line];
    i++;
    let setext: 0 | 1 | 2 = 0;
    while (i < lines.length) {
      const next = lines[i] ?? "";
      if (isBlank(next)) break;
      setext = setextLevel(next);
      if (setext) {
        i++;
        break;
      }
      if (startsBlock(lines, i, true)) break;
      paragraph.push(next);
      i++;
    }
    const children = inlineFromLines(paragraph);
    blocks.push(setext ? { type: "heading", level: setext, children } : { type: "paragraph", children });
  }
  return blocks;
}

/** Parses Markdown source into a safe, HTML-free AST. */
export function parseMarkdown(source: string): Block[] {
  const text = String(source ?? "")
    .replace(/\r\n?/g, "\n")
    .replace(/\u0000/g, "\uFFFD");
  return parseBlocks(text.split("\n"));
}

/* ------------------------------------------------------------------------ */
/* Plain text                                                                */
/* ------------------------------------------------------------------------ */

function inlineToPlainText(nodes: Inline[]): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
      case "code":
        out += node.value;
        break;
      case "strong":
      case "em":
        out += inlineToPlainText(node.children);
        break;
      case "break":
        out += "\n";
        break;
      case "link": {
        const text = inlineToPlainText(node.children);
        if (!isSafeHref(node.href)) out += text;
        else if (text === node.href || `mailto:${text}` === node.href) out += text;
        else if (text.trim() === "") out += node.href;
        else out += `${text} (${node.href})`;
        break;
      }
    }
  }
  return out;
}

/**
 * Plain-text rendering for PDFs and CSV exports: headings and paragraphs as
 * lines, bullet items as "• item", ordered items as "1. item", table rows as
 * " | "-joined cells, safe links as "text (url)"; blocks separated by a blank
 * line. Markup characters are removed; nothing is HTML-escaped.
 */
export function markdownToPlainText(source: string): string {
  const parts: string[] = [];
  for (const block of parseMarkdown(source)) {
    switch (block.type) {
      case "heading":
      case "paragraph":
      case "quote":
        parts.push(inlineToPlainText(block.children));
        break;
      case "code":
        parts.push(block.value);
        break;
      case "list":
        parts.push(
          block.items
            .map((item, index) => `${block.ordered ? `${index + 1}. ` : "• "}${inlineToPlainText(item).replace(/\n/g, "\n  ")}`)
            .join("\n"),
        );
        break;
      case "table":
        parts.push(
          [block.header, ...block.rows].map((row) => row.map((cell) => inlineToPlainText(cell)).join(" | ")).join("\n"),
        );
        break;
      case "rule":
        break;
    }
  }
  return parts.filter((part) => part !== "").join("\n\n");
}
