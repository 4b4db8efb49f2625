/**
 * Preloaded into a server process (NODE_OPTIONS=--import=<this file>): at exit
 * it writes which of React's builds the process loaded, development or
 * production, as one line: `[react-builds] ["react/cjs/react.production.min.js", …]`.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
process.on("exit", () => {
  // Only modules that ran: importing CommonJS from ESM leaves unexecuted entries for every re-export it parsed.
  const builds = Object.entries(require.cache)
    .filter(([file, module]) => module?.loaded && /node_modules\/react(-dom)?\/cjs\//.test(file))
    .map(([file]) => file)
    .map((file) => file.replace(/.*node_modules\//, ""));
  process.stderr.write(`[react-builds] ${JSON.stringify(builds)}\n`);
});
