/**
 * A refusal by domain logic. Routes turn it into a field error on the form;
 * the JSON API turns it into its error envelope with the matching status.
 */
export type DomainErrorCode = "conflict" | "invalid" | "not_found" | "forbidden";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
    /** Several named problems at once (e.g. failing promotion gates); the API lists them as issues. */
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const conflict = (message: string, field?: string) => new DomainError("conflict", message, field);
export const invalid = (message: string, field?: string) => new DomainError("invalid", message, field);
