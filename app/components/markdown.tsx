import { Fragment, type ReactNode } from "react";
import { isSafeHref, type MarkdownBlock, type MarkdownInline, type MarkdownRoot } from "~/utils/markdown";

/**
 * Renders a Markdown tree (parsed on the server by `parseMarkdown` from
 * `~/utils/markdown.server`, sent in loader data) as React elements.
 *
 * Safe by construction: no `dangerouslySetInnerHTML`, every piece of text
 * reaches the DOM as a React text child, and links are emitted only for
 * `http:`/`https:`/`mailto:` URLs (re-checked here as defence in depth).
 *
 * Heading levels are shifted down by three (`#` → `<h4>`, capped at `<h6>`)
 * so a card's own headings sit below the page's section headings.
 */
export function Markdown({ tree, className }: { tree: MarkdownRoot; className?: string }) {
  return <div className={className ? `markdown ${className}` : "markdown"}>{blocks(tree.children)}</div>;
}

const LINK_REL = "noopener noreferrer nofollow";

function headingTag(depth: number): "h4" | "h5" | "h6" {
  const shifted = Math.min(depth + 3, 6);
  return shifted <= 4 ? "h4" : shifted === 5 ? "h5" : "h6";
}

/**
 * `tight`: the blocks of an item of a tight list, whose paragraphs show without `<p>`;
 * `lead`: what starts the first paragraph (a task item's checkbox).
 */
function blocks(nodes: MarkdownBlock[], tight = false, lead: ReactNode = null): ReactNode[] {
  return nodes.map((node, index) => {
    if (node.type !== "paragraph" || (!tight && !(lead && index === 0))) return block(node, index);
    const content = index === 0 ? [lead, ...inlines(node.children)] : inlines(node.children);
    return tight ? <Fragment key={index}>{content}</Fragment> : <p key={index}>{content}</p>;
  });
}

function block(node: MarkdownBlock, key: number): ReactNode {
  switch (node.type) {
    case "heading": {
      const Tag = headingTag(node.depth);
      return <Tag key={key}>{inlines(node.children)}</Tag>;
    }
    case "paragraph":
      return <p key={key}>{inlines(node.children)}</p>;
    case "list": {
      const items = node.children.map((item, i) => (
        <li key={i} className={item.checked === null ? undefined : "task"}>
          {blocks(
            item.children,
            !node.spread,
            item.checked === null ? null : (
              <input key="task" type="checkbox" checked={item.checked} disabled aria-label={item.checked ? "Done" : "Not done"} />
            ),
          )}
        </li>
      ));
      return node.ordered ? (
        <ol key={key} start={node.start === 1 ? undefined : node.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "code":
      return (
        <pre key={key}>
          <code>{node.value}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote key={key}>{blocks(node.children)}</blockquote>;
    case "table": {
      const [header = [], ...rows] = node.rows;
      const aligned = (c: number) => (node.align?.[c] ? { textAlign: node.align[c] } : undefined);
      return (
        <table key={key}>
          <thead>
            <tr>
              {header.map((cell, c) => (
                <th key={c} scope="col" style={aligned(c)}>
                  {inlines(cell)}
                </th>
              ))}
            </tr>
          </thead>
          {rows.length > 0 ? (
            <tbody>
              {rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c} style={aligned(c)}>
                      {inlines(cell)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          ) : null}
        </table>
      );
    }
    case "thematicBreak":
      return <hr key={key} />;
    case "footnoteDefinition":
      return (
        <div key={key} className="footnote">
          <sup>{node.label}</sup> {blocks(node.children, true)}
        </div>
      );
  }
}

function inlines(nodes: MarkdownInline[]): ReactNode[] {
  return nodes.map(inline);
}

function inline(node: MarkdownInline, key: number): ReactNode {
  switch (node.type) {
    case "text":
      return <Fragment key={key}>{node.value}</Fragment>;
    case "strong":
      return <strong key={key}>{inlines(node.children)}</strong>;
    case "emphasis":
      return <em key={key}>{inlines(node.children)}</em>;
    case "delete":
      return <del key={key}>{inlines(node.children)}</del>;
    case "inlineCode":
      return <code key={key}>{node.value}</code>;
    case "break":
      return <br key={key} />;
    case "footnoteReference":
      return <sup key={key}>{node.label}</sup>;
    case "link":
      return isSafeHref(node.url) ? (
        <a key={key} href={node.url} rel={LINK_REL}>
          {inlines(node.children)}
        </a>
      ) : (
        <Fragment key={key}>{inlines(node.children)}</Fragment>
      );
  }
}
