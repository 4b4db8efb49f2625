import { Fragment, useMemo, type ReactNode } from "react";
import { isSafeHref, parseMarkdown, type Block, type Inline } from "~/modules/governance/markdown";

/**
 * Renders model-card Markdown as React elements built from the parser's AST.
 *
 * Safe by construction: no `dangerouslySetInnerHTML`, every piece of source
 * text reaches the DOM as a React text child (so `<script>`, tags and
 * entities are shown literally), and links are emitted only for
 * `http:`/`https:`/`mailto:` URLs (re-checked here as defence in depth).
 *
 * Heading levels are shifted down by three (`#` → `<h4>`, capped at `<h6>`)
 * so a card's own headings sit below the page's section headings.
 */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className={className ? `markdown ${className}` : "markdown"}>{blocks.map(renderBlock)}</div>;
}

const LINK_REL = "noopener noreferrer nofollow";

function headingTag(level: number): "h4" | "h5" | "h6" {
  const shifted = Math.min(level + 3, 6);
  return shifted <= 4 ? "h4" : shifted === 5 ? "h5" : "h6";
}

function renderBlock(block: Block, index: number): ReactNode {
  switch (block.type) {
    case "heading": {
      const Tag = headingTag(block.level);
      return <Tag key={index}>{renderInlines(block.children)}</Tag>;
    }
    case "paragraph":
      return <p key={index}>{renderInlines(block.children)}</p>;
    case "list": {
      const items = block.items.map((item, i) => <li key={i}>{renderInlines(item)}</li>);
      return block.ordered ? <ol key={index}>{items}</ol> : <ul key={index}>{items}</ul>;
    }
    case "code":
      return (
        <pre key={index}>
          <code>{block.value}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={index}>{renderInlines(block.children)}</blockquote>;
    case "table":
      return (
        <table key={index}>
          <thead>
            <tr>
              {block.header.map((cell, c) => (
                <th key={c} scope="col">
                  {renderInlines(cell)}
                </th>
              ))}
            </tr>
          </thead>
          {block.rows.length > 0 ? (
            <tbody>
              {block.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c}>{renderInlines(cell)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          ) : null}
        </table>
      );
    case "rule":
      return <hr key={index} />;
  }
}

function renderInlines(nodes: Inline[]): ReactNode[] {
  return nodes.map(renderInline);
}

function renderInline(node: Inline, index: number): ReactNode {
  switch (node.type) {
    case "text":
      return <Fragment key={index}>{node.value}</Fragment>;
    case "strong":
      return <strong key={index}>{renderInlines(node.children)}</strong>;
    case "em":
      return <em key={index}>{renderInlines(node.children)}</em>;
    case "code":
      return <code key={index}>{node.value}</code>;
    case "break":
      return <br key={index} />;
    case "link":
      return isSafeHref(node.href) ? (
        <a key={index} href={node.href.trim()} rel={LINK_REL}>
          {renderInlines(node.children)}
        </a>
      ) : (
        <Fragment key={index}>{renderInlines(node.children)}</Fragment>
      );
  }
}
