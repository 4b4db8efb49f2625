/**
 * The notice after a form post, with the link it made to copy, if any: an
 * invitation link, shown once (only its hash is stored). A repeated form
 * has no link, only the notice saying so.
 */
export function NoticeWithLink({ notice, link }: { notice?: string; link?: string }) {
  return (
    <div className="notice" role="status">
      <p style={{ overflowWrap: "anywhere" }}>{notice}</p>
      {link ? (
        <p className="token-secret" data-testid="invitation-link">
          {link}
        </p>
      ) : null}
    </div>
  );
}
