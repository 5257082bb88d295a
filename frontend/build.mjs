// Bundles the console's script and style sheet into helpdesk/static/dist/ (never committed).
import { build } from "esbuild";

await build({
  entryPoints: ["frontend/console.js", "frontend/console.css"],
  outdir: "helpdesk/static/dist",
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  splitting: true, // the dashboard's chart library is a chunk loaded by the dashboard only
  chunkNames: "chunks/[name]-[hash]",
  target: ["es2020"],
  logLevel: "info",
});
