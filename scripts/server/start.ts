/**
 * The production server's entry as `npm run build` bundles it (./bundle.ts):
 * the environment's NODE_ENV default first, then the server. Two steps,
 * because in one bundle every package import (React among them, through the
 * email templates) would be evaluated before ./node-env's own code; the
 * dynamic import keeps the server and its packages in a chunk of their own,
 * loaded after it.
 */
import "./node-env";

await import("./index");
