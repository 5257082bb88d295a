// The widget's icons: Lucide (ISC licence, npm lucide-static), bundled as text by esbuild. Parsed as
// SVG, never as HTML, and only these build-time constants: nothing a visitor or agent writes goes
// through here.
import fileText from "lucide-static/icons/file-text.svg";
import messageCircle from "lucide-static/icons/message-circle.svg";
import paperclip from "lucide-static/icons/paperclip.svg";
import star from "lucide-static/icons/star.svg";

const SOURCES = { "file-text": fileText, "message-circle": messageCircle, paperclip, star };

// An <svg> element for the icon `name`, hidden from screen readers (its control carries the label).
export function icon(name, className = "icon") {
  const doc = new DOMParser().parseFromString(SOURCES[name], "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  return svg;
}
