/**
 * Where a build directory keeps the bundled server (./bundle.ts writes it, ./launch.mjs runs it). Plain
 * JavaScript, so that the launcher can read it before any TypeScript is loaded.
 */
export const SERVER_BUNDLE_DIR = "portal";
/** The bundle's entry, relative to the build directory. */
export const SERVER_BUNDLE_ENTRY = `${SERVER_BUNDLE_DIR}/start.js`;
