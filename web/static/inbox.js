// The personal in-tray keeps itself current: it asks every few seconds whether the user's
// own tickets changed, and then swaps in the fresh list (chosen boxes are kept).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("mass");
  if (!list || list.dataset.inbox !== "live") { return; }
  const state = document.getElementById("inbox-state");
  let version = null;

  async function refresh() {
    const page = await fetch(location.href, { credentials: "same-origin" });
    if (!page.ok) { return; }
    const fresh = new DOMParser().parseFromString(await page.text(), "text/html").getElementById("mass");
    if (!fresh) { return; }
    const chosen = new Set([...list.querySelectorAll("input[name=number]:checked")].map((box) => box.value));
    list.replaceChildren(...fresh.childNodes);
    list.querySelectorAll("input[name=number]").forEach((box) => { box.checked = chosen.has(box.value); });
    state.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  async function check() {
    try {
      const answer = await fetch("/api/tickets/inbox", { credentials: "same-origin" });
      if (answer.ok) {
        const data = await answer.json();
        if (version !== null && data.version !== version) { await refresh(); }
        version = data.version;
      }
    } catch (error) {
      state.textContent = "Offline; retrying…";
    }
    setTimeout(check, 4000);
  }
  check();
});
