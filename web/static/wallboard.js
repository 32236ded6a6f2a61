// The wallboard: one snapshot a second over a websocket, drawn into the six views, and a
// slide show that cycles through them. All text goes in through textContent.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("wallboard");
  const labels = JSON.parse(board.dataset.labels || "{}");
  const t = (text) => labels[text] || text;
  const panels = [...board.querySelectorAll("[data-panel]")];
  const state = document.getElementById("board-state");
  let shown = 0;
  let timer = null;

  function show(index) {
    shown = (index + panels.length) % panels.length;
    panels.forEach((panel, i) => { panel.hidden = i !== shown; });
  }
  board.querySelectorAll("[data-view]").forEach((button) => {
    button.addEventListener("click", () => show(panels.findIndex((p) => p.dataset.panel === button.dataset.view)));
  });
  const slideshow = document.getElementById("slideshow");
  function setSlideshow(on) {
    clearInterval(timer);
    timer = on ? setInterval(() => show(shown + 1), Number(board.dataset.seconds) * 1000) : null;
    slideshow.textContent = on ? t("Stop slide show") : t("Slide show");
    board.dataset.slideshow = on ? "on" : "off";
  }
  slideshow.addEventListener("click", () => setSlideshow(board.dataset.slideshow !== "on"));
  setSlideshow(board.dataset.slideshow === "on");

  const dash = (value) => (value === null || value === undefined ? "–" : String(value));
  const percent = (value) => (value === null || value === undefined ? "–" : `${value} %`);
  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    const s = Math.round(seconds);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }
  function left(seconds) {
    // Wall-clock time until the goal runs out; past it, how long overdue.
    if (seconds === null || seconds === undefined) { return "–"; }
    const minutes = Math.floor(Math.abs(seconds) / 60);
    const text = `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
    return seconds < 0 ? `${t("overdue")} ${text}` : text;
  }
  function fill(tableId, rows, cells) {
    const body = document.querySelector(`#${tableId} tbody`);
    body.replaceChildren(...rows.map((row, index) => {
      const tr = document.createElement("tr");
      for (const value of cells(row, index)) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    }));
  }
  function queues(data) {
    // One column per queue, one row per figure, as a board on the wall reads best.
    const head = document.querySelector("#queues-table thead tr");
    head.replaceChildren(document.createElement("th"), ...data.rows.map((q) => {
      const th = document.createElement("th");
      th.textContent = q.queue;
      return th;
    }));
    const figures = [[t("Calls in queue"), (q) => dash(q.waiting)], [t("Agents logged in"), (q) => dash(q.agents_logged_in)],
      [t("Avg. queue time"), (q) => duration(q.avg_queue_seconds)], [t("Service level"), (q) => percent(q.service_level)],
      [t("Answered"), (q) => dash(q.answered)], [t("Lost"), (q) => dash(q.lost)], [t("Total"), (q) => dash(q.total)]];
    fill("queues-table", figures, ([label, get]) => [label, ...data.rows.map(get)]);
    document.getElementById("total-answered").textContent = percent(data.answered_percent);
    document.getElementById("total-sl").textContent = percent(data.service_level);
    document.getElementById("total-calls").textContent = dash(data.total);
  }
  function draw(snapshot) {
    queues(snapshot.queues);
    fill("agents-table", snapshot.agents, (a) => [a.name, a.phone, a.queues.join(", "), a.calls_15_min, a.state, duration(a.seconds_in_state)]);
    document.getElementById("toplist-from").textContent = `from ${snapshot.toplist.from.slice(0, 10)}`;
    fill("toplist-table", snapshot.toplist.rows, (r, i) => [i + 1, r.name, r.answered, r.solved, dash(r.cfi), r.value]);
    fill("tickets-table", snapshot.tickets, (t) => [t.name, t.new, t.open, t.other, t.closed, t.answers, t.last_active ? t.last_active.slice(11, 16) : "–"]);
    fill("sites-table", snapshot.sites, (s) => [s.site, s.description, s.calls_today, s.new, s.open, s.resting, s.new_today, s.new_this_week]);
    fill("sla-table", snapshot.sla.nearest, (r) => [r.number, r.subject, r.agent || "–",
      r.due_at ? new Date(r.due_at).toLocaleString() : "–", left(r.seconds_left)]);
    document.getElementById("sla-breached").textContent = dash(snapshot.sla.breached);
    document.getElementById("sla-soon").textContent = dash(snapshot.sla.soon);
    state.textContent = `${t("live")} · ${new Date(snapshot.at).toLocaleTimeString()}`;
  }

  let wait = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/wallboard/live`);
    socket.addEventListener("open", () => { wait = 1000; });
    socket.addEventListener("message", (event) => draw(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      state.textContent = t("reconnecting…");
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    });
  }
  connect();
});
