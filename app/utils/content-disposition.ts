/** A file name for Content-Disposition: `filename` in plain ASCII plus the exact name as RFC 5987 `filename*`. */
export function contentDisposition(disposition: "inline" | "attachment", filename: string): string {
  const ascii = filename
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\w.() -]+/g, "_")
    .replace(/\s+/g, " ")
    .trim();
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
