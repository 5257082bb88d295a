// Bundles the console's script and style sheet into helpdesk/static/dist/ (never committed).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

// The chat widget runs on customers' pages from a classic <script async>: one self-contained
// file (socket.io-client inside), its style sheet bundled as text for the shadow root.
await build({
  entryPoints: ["frontend/widget/widget.js"],
  outfile: "helpdesk/static/dist/widget.js",
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  loader: { ".css": "text", ".svg": "text" },
  target: ["es2020"],
  logLevel: "info",
});

// The knowledge base: the public help center (search suggestions, deflection on the contact form)
// and its console pages (editor preview, suggestions on the ticket page).
await build({
  entryPoints: [
    { in: "frontend/kb/help.js", out: "kb_help" },
    { in: "frontend/kb/help.css", out: "kb_help" },
    { in: "frontend/kb/console.js", out: "kb_console" },
    { in: "frontend/kb/console.css", out: "kb_console" },
    { in: "frontend/portal/portal.css", out: "portal" },
  ],
  outdir: "helpdesk/static/dist",
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2020"],
  logLevel: "info",
});

// The console's icons: Lucide (ISC licence, npm lucide-static) copied into helpdesk/static/dist/icons/
// for the `icon()` template helper (helpdesk/web/icons.py), which inlines them; and the favicon.
// Only the icons named here are shipped; add one here before using it in a template.
const CONSOLE_ICONS = ["arrow-down-right", "arrow-up-right", "pencil", "menu", "life-buoy", "paperclip", "log-out", "download",
  "x", "trending-up", "pin", "eye-off", "merge", "refresh-cw"];
const iconSource = (name) => readFileSync(`node_modules/lucide-static/icons/${name}.svg`, "utf8");
mkdirSync("helpdesk/static/dist/icons", { recursive: true });
for (const name of CONSOLE_ICONS) writeFileSync(`helpdesk/static/dist/icons/${name}.svg`, iconSource(name));
writeFileSync("helpdesk/static/dist/favicon.svg",
  iconSource("life-buoy").replace('stroke="currentColor"', 'stroke="#2952cc"').replace(/<!--.*?-->\s*/s, ""));
