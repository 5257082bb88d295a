// On a phone the console's navigation folds into a menu button (CSS shows the button and hides the
// links below 760 px once this ran; without the script the links simply wrap).
export function attachNavMenu() {
  const topbar = document.querySelector("header.topbar");
  const toggle = document.getElementById("nav-menu-toggle");
  const nav = document.getElementById("main-nav");
  if (!topbar || !toggle || !nav) return;
  topbar.classList.add("menu-folds");
  toggle.hidden = false;
  const set = (open) => {
    topbar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => set(!topbar.classList.contains("menu-open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && topbar.classList.contains("menu-open")) { set(false); toggle.focus(); }
  });
}
