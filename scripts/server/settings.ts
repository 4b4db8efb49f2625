import zlib from "node:zlib";

/**
 * How the portal runs Remix, in one place: read by the build (vite.config.ts), the server
 * (./index.ts) and the framework-floor benchmark (scripts/bench/framework-floor.ts), whose stub
 * apps must run Remix exactly as the portal does for their figures to mean anything.
 */

/** Remix's future flags. */
export const REMIX_FUTURE = {
  v3_fetcherPersist: true,
  v3_relativeSplatPath: true,
  v3_throwAbortReason: true,
  v3_singleFetch: true,
  // Off: with 67 routes the whole route manifest is one small cached file, while lazy discovery
  // matches every parent path of the URL against all routes again on each page render.
  v3_lazyRouteDiscovery: false,
} as const;

/**
 * Fastest gzip, and Brotli one step below its default: for 20–100 KB pages
 * gzip level 1 costs about half the CPU of the default level 6 for answers
 * about 14% larger, which a network between colleagues carries in well under
 * a millisecond. Compressing was a tenth of a page's server time.
 */
export const COMPRESSION = {
  level: zlib.constants.Z_BEST_SPEED,
  brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 3 } },
};
