// The ticket list from the keyboard, and its side-by-side view: j and k move the chosen row,
// Enter opens it (beside the list when the view is split), / goes to the search field. On a
// screen too narrow for two columns, rows open as pages again.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const workspace = document.getElementById("ticket-workspace");
  if (!workspace) { return; }
  const pane = document.getElementById("ticket-pane");
  const wide = window.matchMedia("(min-width: 75rem)");
  let chosen = -1;

  const rows = () => [...workspace.querySelectorAll("tr[data-number]")];
  const linkOf = (row) => row.querySelector("a[href^='/tickets/']");

  function fitLinks() {  // narrow screens: no pane, so links open normally
    rows().forEach((row) => {
      row.querySelectorAll("a[href^='/tickets/']").forEach((link) => {
        if (pane && wide.matches) { link.target = "ticket-pane"; } else { link.removeAttribute("target"); }
      });
    });
  }
  fitLinks();
  wide.addEventListener("change", fitLinks);

  function choose(index) {
    const all = rows();
    if (all.length === 0) { return; }
    chosen = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((row, n) => row.classList.toggle("chosen", n === chosen));
    all[chosen].scrollIntoView({ block: "nearest" });
    const link = linkOf(all[chosen]);
    if (link) { link.focus(); }
  }

  function open() {
    const row = rows()[chosen];
    const link = row && linkOf(row);
    if (!link) { return; }
    if (pane && wide.matches) { pane.src = link.href; } else { location.href = link.href; }
  }

  workspace.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-number]");
    if (row) { chosen = rows().indexOf(row); rows().forEach((r) => r.classList.toggle("chosen", r === row)); }
  });

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable], trix-editor");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j") { choose(chosen + 1); event.preventDefault(); }
    else if (event.key === "k") { choose(chosen - 1); event.preventDefault(); }
    else if (event.key === "Enter" && chosen >= 0) { open(); event.preventDefault(); }
    else if (event.key === "/") {
      const search = document.querySelector("#filters input[name=q]");
      if (search) { search.focus(); event.preventDefault(); }
    }
  });
});
