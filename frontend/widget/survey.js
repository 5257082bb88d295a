// The in-panel rating of a satisfaction survey the helpdesk sent on this chat: the message that
// carries a `survey` (see helpdesk/services/surveys/widget.py) shows its question and one button
// per score, with an optional comment, instead of the link the e-mail fallback needs. The answer
// goes over the socket; the server decides whether it counts. Everything is inserted as text.
import { icon } from "./icons.js";
import css from "./survey.css";

const CSAT_LABELS = ["", "Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scoreButton(rating, score) {
  const csat = rating.kind === "csat";
  const button = el("button", "score", csat ? undefined : String(score));
  for (let i = 0; csat && i < score; i++) button.appendChild(icon("star", "icon star"));
  button.type = "button";
  button.value = String(score);
  button.setAttribute("aria-label", csat ? `${score} of ${rating.high}: ${CSAT_LABELS[score] || ""}` : `${score} of ${rating.high}`);
  return button;
}

// Shows surveys inside the messages of `ui` (see panel.js) and sends the visitor's rating on `socket`.
export function attachSurveys(ui, socket) {
  const shadow = ui.root.getRootNode();
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
  const shown = new Map(); // survey ref -> { li, rating, note }

  function draw(entry) {
    const { li, rating } = entry;
    li.classList.add("survey");
    li.dataset.survey = rating.ref;
    li.querySelector(".text").textContent = rating.question;
    const box = el("div", `rating ${rating.state}`);
    const note = el("p", "rating-note", entry.note || "");
    note.setAttribute("role", "status");
    note.hidden = !entry.note;
    if (rating.state === "open") {
      const comment = el("textarea", "rating-comment");
      comment.maxLength = rating.comment_max;
      comment.placeholder = "Anything to add? (optional)";
      comment.setAttribute("aria-label", "Comment (optional)");
      comment.value = entry.comment || "";
      comment.addEventListener("input", () => { entry.comment = comment.value; });
      const scores = el("div", `scores ${rating.kind}`);
      scores.setAttribute("role", "group");
      scores.setAttribute("aria-label", rating.question);
      for (let score = rating.low; score <= rating.high; score += 1) scores.appendChild(scoreButton(rating, score));
      scores.addEventListener("click", (event) => {
        const button = event.target.closest("button.score");
        if (button) send(entry, Number(button.value), scores);
      });
      box.append(comment, scores);
    } else if (rating.state === "answered") {
      box.appendChild(el("p", "rating-thanks", rating.score === null ? "Thank you for your rating!" : `Thank you for your rating: ${rating.score} of ${rating.high}.`));
    } else {
      box.appendChild(el("p", "rating-closed", "This survey is closed."));
    }
    box.appendChild(note);
    li.querySelector(".rating")?.remove();
    li.querySelector(".meta").before(box);
  }

  function send(entry, score, scores) {
    for (const button of scores.querySelectorAll("button")) button.disabled = true;
    const comment = (entry.comment || "").trim() || null;
    socket.timeout(10000).emit("rate", { ref: entry.rating.ref, score, comment }, (err, answer) => {
      if (err || !answer) { entry.note = "No connection: your rating was not sent. Try again."; draw(entry); return; }
      entry.note = answer.ok ? "" : answer.error;
      if (answer.survey) entry.rating = answer.survey;
      draw(entry);
    });
  }

  // The panel re-renders a message whenever it changes (read state, reconnect): draw it again.
  const render = ui.render;
  ui.render = (item) => {
    const li = render(item);
    if (item.survey && item.survey.ref) {
      const known = shown.get(item.survey.ref);
      // What this tab learnt from an answer is newer than a history fetched before it.
      const rating = known && known.rating.state !== "open" ? known.rating : item.survey;
      const entry = { li, rating, note: known ? known.note : "", comment: known ? known.comment : "" };
      shown.set(rating.ref, entry);
      draw(entry);
    }
    return li;
  };
  socket.on("survey_updated", (rating) => {
    const entry = rating && shown.get(rating.ref);
    if (entry) { entry.rating = rating; entry.note = ""; draw(entry); }
  });
}
