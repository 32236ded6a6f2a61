// The ticket page: the reply's rich-text editor (Trix) quotes the customer's last message, refuses
// files dropped into the text (files go in the attach field, which the server checks), and
// what is typed in the reply and the note is kept as a draft in this browser until it is
// saved, so a refused form or a closed tab loses nothing.
"use strict";
document.addEventListener("trix-file-accept", (event) => { event.preventDefault(); });

document.addEventListener("DOMContentLoaded", () => {
  const sent = document.querySelector("[role=status]") && !document.querySelector("[role=alert]");
  const pending = sessionStorage.getItem("ehd-draft-pending");
  if (sent && pending) { localStorage.removeItem(pending); }
  sessionStorage.removeItem("ehd-draft-pending");

  document.querySelectorAll("form[data-draft]").forEach((form) => {
    const key = form.dataset.draft;
    const editor = form.querySelector("trix-editor");
    const text = form.querySelector("textarea[name=text]");
    const saved = localStorage.getItem(key);
    if (editor) {
      const restore = () => { if (saved && !editor.value) { editor.editor.loadHTML(saved); } };
      if (editor.editor) { restore(); } else { editor.addEventListener("trix-initialize", restore, { once: true }); }
      editor.addEventListener("trix-change", () => { localStorage.setItem(key, editor.value); });
    } else if (text) {
      if (saved && !text.value) { text.value = saved; }
      text.addEventListener("input", () => { localStorage.setItem(key, text.value); });
    }
    form.addEventListener("submit", () => { sessionStorage.setItem("ehd-draft-pending", key); });
  });

  const quote = document.getElementById("quote-last");
  const editor = document.getElementById("reply-editor");
  if (quote && editor) {
    quote.addEventListener("click", () => {
      const shown = document.createElement("div");
      shown.textContent = quote.dataset.quote;  // the customer's words, never their markup
      const lines = shown.innerHTML.split("\n").join("<br>");
      editor.editor.insertHTML(`<blockquote>${lines}</blockquote><div><br></div>`);
      const end = editor.editor.getDocument().getLength() - 1;
      editor.editor.setSelectedRange([end, end]);  // write on below the quote
      editor.focus();
    });
  }
});

// Shown in the ticket list's side-by-side pane: without its own top bar.
if (window.top !== window && window.name === "ticket-pane") { document.documentElement.classList.add("in-pane"); }
