// The chat panel's DOM, built with createElement and textContent only: what visitors and agents
// write is never parsed as HTML, on the customer's page or anywhere else.

import { icon } from "./icons.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function field(labelText, name, type = "text", attrs = {}) {
  const label = el("label", "", labelText);
  const input = el(type === "textarea" ? "textarea" : "input");
  if (type !== "textarea") input.type = type;
  input.name = name;
  for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, v);
  label.appendChild(input);
  return label;
}

function timeOf(iso) {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? "" : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function buildPanel(shadow, base) {
  const root = el("div", "root");
  const launcher = el("button", "launcher");
  launcher.appendChild(icon("message-circle"));
  launcher.type = "button";
  launcher.setAttribute("aria-label", "Chat with us");
  const badge = el("span", "badge");
  badge.hidden = true;
  launcher.appendChild(badge);

  const panel = el("section", "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Chat");
  const head = el("header", "head");
  const title = el("span", "title", "Chat");
  const status = el("span", "status", "connecting…");
  const close = el("button", "close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close the chat");
  // For a visitor whose address is proven: their tickets in the customer portal, signed in at once.
  const portal = el("button", "portal-link", "Your requests");
  portal.type = "button";
  portal.hidden = true;
  head.append(title, status, portal, close);

  const greeting = el("p", "notice greeting");
  const offline = el("p", "notice offline");
  offline.hidden = true;
  const error = el("p", "notice error");
  error.hidden = true;
  error.setAttribute("role", "alert");

  const prechat = el("form", "card prechat");
  prechat.hidden = true;
  prechat.append(field("Your name", "name", "text", { maxlength: "100", autocomplete: "name" }),
    field("E-mail (optional)", "email", "email", { maxlength: "320", autocomplete: "email" }),
    field("What is it about? (optional)", "topic", "text", { maxlength: "200" }));
  // Consent asked here is recorded with the first message (source "widget").
  const surveys = field("Ask me afterwards how we did", "consent_surveys", "checkbox", { checked: "" });
  surveys.className = "check";
  prechat.appendChild(surveys);
  const start = el("button", "primary", "Start chat");
  start.type = "submit";
  prechat.appendChild(start);

  const emailForm = el("form", "card email-form");
  emailForm.hidden = true;
  emailForm.append(field("Your e-mail address", "email", "email", { required: "", maxlength: "320", autocomplete: "email" }));
  const emailButton = el("button", "primary", "Answer me by e-mail");
  emailButton.type = "submit";
  emailForm.appendChild(emailButton);

  const list = el("ol", "messages");
  list.setAttribute("aria-live", "polite");
  const typing = el("p", "typing");
  typing.hidden = true;

  const composer = el("form", "composer");
  const text = el("textarea");
  text.name = "text";
  text.maxLength = 5000;
  text.placeholder = "Write a message…";
  text.setAttribute("aria-label", "Message");
  const attach = el("label", "attach");
  attach.appendChild(icon("paperclip"));
  attach.title = "Attach a file";
  const file = el("input");
  file.type = "file";
  file.accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain";
  file.setAttribute("aria-label", "Attach a file");
  attach.appendChild(file);
  const send = el("button", "primary send", "Send");
  send.type = "submit";
  composer.append(text, attach, send);

  panel.append(head, greeting, offline, error, prechat, emailForm, list, typing, composer);
  root.append(panel, launcher);
  shadow.appendChild(root);

  const byKey = new Map(); // message id or client id -> li

  function render(item) {
    const li = byKey.get(item.id) || byKey.get(item.client_id) || el("li");
    li.className = `msg ${item.from}${item.failed ? " failed" : ""}`;
    const body = el("div", "text", item.text);
    const meta = el("div", "meta");
    const parts = [item.from === "agent" ? item.author || "Support" : "", timeOf(item.at)];
    if (item.from === "visitor") parts.push(item.failed ? `Not sent: ${item.failed}` : item.seen ? "Seen" : item.id ? "Sent" : "Sending…");
    meta.textContent = parts.filter(Boolean).join(" · ");
    const children = [body];
    if (item.files && item.files.length) {
      const files = el("div", "files");
      for (const f of item.files) {
        const a = el("a", "", f.name);
        a.prepend(icon("file-text"));
        a.href = new URL(f.url, base).href;
        a.target = "_blank";
        a.rel = "noopener";
        files.appendChild(a);
      }
      children.push(files);
    }
    children.push(meta);
    li.replaceChildren(...children);
    li.dataset.id = item.id || "";
    li.dataset.state = item.state || "";
    if (item.id) byKey.set(item.id, li);
    if (item.client_id) byKey.set(item.client_id, li);
    if (!li.isConnected) list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    return li;
  }

  return {
    root, launcher, badge, panel, title, status, portal, close, greeting, offline, error, prechat, emailForm, list, typing,
    composer, text, file, send, render,
    has: (id) => byKey.has(id),
  };
}
