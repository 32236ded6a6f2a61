// Live chat pages: the transcript asks for new messages every two seconds, messages are sent
// without reloading the page, and the agent's list of waiting chats keeps itself current.
// Without this script the same pages work as plain forms.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const log = document.getElementById("chat-log");
  if (log) { followTranscript(log); }
  const lists = document.getElementById("chat-lists");
  if (lists && lists.dataset.live === "chats") { keepListCurrent(lists); }
});

function followTranscript(log) {
  let timer = null;
  const lastId = () => Math.max(0, ...[...log.querySelectorAll("li[data-id]")].map((li) => Number(li.dataset.id)));

  function show(message) {
    const item = document.createElement("li");
    item.className = `chat-${message.kind}`;
    item.dataset.id = String(message.id);
    if (message.author) {
      const who = document.createElement("strong");
      who.textContent = message.author;
      item.append(who, " ");
    }
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = message.text;
    item.append(text);
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function showState(state) {
    log.dataset.state = state;
    const note = document.getElementById("chat-waiting-note");
    if (note) { note.hidden = state !== "waiting"; }
    if (state === "ended") {
      document.getElementById("chat-ended").hidden = false;
      document.querySelectorAll(".chat-send, .chat-end").forEach((form) => form.remove());
    }
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const answer = await fetch(`${log.dataset.source}?after=${lastId()}`, { credentials: "same-origin" });
      if (answer.ok) {
        const data = await answer.json();
        data.messages.filter((m) => !log.querySelector(`li[data-id="${m.id}"]`)).forEach(show);
        showState(data.state);
        if (data.state === "ended") { return; }
      }
    } catch (error) {
      // offline for a moment: the next poll tries again
    }
    timer = setTimeout(poll, 2000);
  }

  document.querySelectorAll("form.chat-send").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = form.querySelector("textarea");
      const answer = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
      if (!answer.ok) { form.submit(); return; }  // the page shows the server's reason
      box.value = "";
      box.focus();
      poll();
    });
    form.querySelector("textarea").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
  });
  poll();
}

function keepListCurrent(lists) {
  async function refresh() {
    try {
      const page = await fetch(location.pathname, { credentials: "same-origin" });
      if (page.ok) {
        const fresh = new DOMParser().parseFromString(await page.text(), "text/html").getElementById("chat-lists");
        if (fresh) { lists.replaceChildren(...fresh.childNodes); }
      }
    } catch (error) {
      // offline for a moment
    }
    setTimeout(refresh, 3000);
  }
  setTimeout(refresh, 3000);
}
