// Click-to-dial: a click on a phone number asks ehd to ring the user's own phone and then the
// number. Ctrl/Cmd/Shift-click (or a page without the call permission) keeps the plain tel: link.
"use strict";

(function () {
  const status = document.getElementById("dial-status");
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a.dial");
    if (!link || !status || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    const number = link.getAttribute("href").slice(4);
    const response = await fetch("/api/calls/dial", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ number: number }),
    });
    const data = await response.json();
    status.hidden = false;
    status.textContent = response.ok
      ? status.dataset.ringing.replace("%s", data.number) : (data.message || status.dataset.failed);
  });
})();
