/**
 * The server's first import. React, Remix and Express choose their
 * development or production build once, when they are first loaded, from
 * NODE_ENV; imports are evaluated before the importing module's own code, so
 * setting it in index.ts's body came too late: the email templates (React)
 * loaded through the scheduled jobs ran React's development build, several
 * times slower, in every `npm start` that did not set NODE_ENV itself.
 * `npm start` means production, `npm run dev` (--dev) development.
 */
import { defaultNodeEnv } from "../../app/utils/env.server";

defaultNodeEnv(process.argv.includes("--dev") ? "development" : "production");
