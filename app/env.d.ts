import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** Per-request nonce for the Content-Security-Policy, set by scripts/server/index.ts. */
    cspNonce?: string;
  }
}
