// The agent console and mobile page: JSON calls for login/ready/pause/logout, and the live
// feed over a websocket (state, queue figures, offered calls and screen pops).
"use strict";

(function () {
  const root = document.getElementById("console");
  const username = root.dataset.username;
  const source = root.dataset.source || "console";
  const $ = (id) => document.getElementById(id);
  const labels = JSON.parse(root.dataset.labels || "{}");  // the page's language
  const t = (text) => labels[text] || text;
  const say = (text) => { $("message").textContent = text; };

  async function call(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json();
    if (!response.ok) { say(data.message || t("failed")); throw new Error(data.message); }
    say("");
    if (data.state) { $("state").textContent = data.state; }
    return data;
  }

  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { queues: form.getAll("queue"), source: source };
    if (form.get("phone") === "number") { body.number = form.get("number"); }
    call(`/api/agents/${username}/login`, body).catch(() => {});
  });
  $("ready").addEventListener("click", () => call(`/api/agents/${username}/unpause`).catch(() => {}));
  $("pause").addEventListener("click", () =>
    call(`/api/agents/${username}/pause`, { reason: $("pause-reason").value }).catch(() => {}));
  window.name = "ehd-console";  // the phone window's links come back to this tab
  // The phone window outlives this page: calls keep their audio while the agent browses.
  $("open-phone")?.addEventListener("click", (event) => {
    event.preventDefault();
    window.open("/phone", "ehd-phone", "popup,width=380,height=640");
  });
  $("logout").addEventListener("click", () => call(`/api/agents/${username}/logout`).catch(() => {}));

  function showOffer(offer) {
    const panel = $("call");
    if (panel) {
      panel.hidden = false;
      $("call-caller").textContent = offer.caller || t("unknown");
      $("call-queue").textContent = offer.queue;
      $("call-waited").textContent = clock(offer.waited_seconds || 0);
      $("call-did").textContent = offer.did;
      $("call-custid").textContent = offer.customer_number || "–";
      const contact = offer.contact;
      $("call-contact").textContent = !contact ? t("not known")
        : contact.company && contact.company !== contact.name
          ? `${contact.name} (${contact.company})` : contact.name;
      const link = $("call-pop");
      link.hidden = !offer.screen_pop;
      link.href = offer.screen_pop || "#";
      const codes = offer.classification_codes || [];
      const form = $("classify");
      form.hidden = codes.length === 0;
      form.dataset.callId = offer.call_id;
      $("classify-code").replaceChildren(...codes.map((c) => {
        const option = document.createElement("option");
        option.value = c.code;
        option.textContent = c.label || c.code;
        return option;
      }));
    }
    if (offer.screen_pop) { window.open(offer.screen_pop, "_blank", "noopener"); }
  }

  const classify = $("classify");
  if (classify) {
    classify.addEventListener("submit", (event) => {
      event.preventDefault();
      call(`/api/calls/${classify.dataset.callId}/classification`, { code: $("classify-code").value })
        .then(() => say(t("Classification saved."))).catch(() => {});
    });
  }

  // m:ss, or h:mm:ss for long calls.
  function clock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const two = (n) => String(n).padStart(2, "0");
    return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`
      : `${Math.floor(s / 60)}:${two(s % 60)}`;
  }

  // The call's running duration, counted here from what the server last said.
  let ticking = null;
  function runDuration(seconds, ended) {
    clearInterval(ticking);
    const since = Date.now() - seconds * 1000;
    const show = () => { $("call-duration").textContent = clock((Date.now() - since) / 1000); };
    show();
    if (!ended) { ticking = setInterval(show, 1000); }
  }

  // The connected call: hold, resume and record act on it; the buttons follow its state.
  function showCall(current) {
    const controls = $("call-controls");
    if (!controls) { return; }
    const ended = current.state === "ended";
    runDuration(current.seconds || 0, ended);
    controls.hidden = ended;
    if (ended) { $("transfer-form").hidden = true; }
    if ($("call")) { $("call").hidden = false; }
    controls.dataset.callId = ended ? "" : current.call_id;
    const held = current.state === "held";
    const consult = ended ? null : current.consult;
    $("call-state").textContent = t(held ? "on hold" : ended ? "ended" : "talking");
    $("hold").hidden = held || Boolean(consult);
    $("resume").hidden = !held || Boolean(consult);
    $("transfer").hidden = Boolean(consult);
    $("consult-controls").hidden = !consult;
    if (consult) {
      $("transfer-form").hidden = true;
      $("consult-agent").textContent = consult.agent;
      $("consult-state").textContent = t({ ringing: "ringing", with_target: "talking to the colleague",
        with_customer: "talking to the customer", conference: "all three talking" }[consult.state]
        || consult.state);
      const ringing = consult.state === "ringing";
      const conference = consult.state === "conference";
      $("consult-complete").disabled = ringing;
      $("consult-toggle").disabled = $("consult-join").disabled = ringing || conference;
    }
    $("call-hold").textContent = current.hold_seconds > 0
      ? t("on hold for %s s").replace("%s", String(Math.round(current.hold_seconds))) : "";
  }

  function control(action, done, body) {
    const callId = $("call-controls").dataset.callId;
    if (callId) { call(`/api/calls/${callId}/${action}`, body).then(done).catch(() => {}); }
  }
  if ($("call-controls")) {
    $("hold").addEventListener("click", () => control("hold", (data) => showCall(data.call)));
    $("resume").addEventListener("click", () => control("resume", (data) => showCall(data.call)));
    $("record").addEventListener("click", () => control("recording", () => say(t("Recording started."))));
    $("transfer").addEventListener("click", () => showTransferTargets().catch(() => {}));
    $("transfer-cancel").addEventListener("click", () => { $("transfer-form").hidden = true; });
    $("consult").addEventListener("click", () => {
      const number = $("transfer-number").value.trim();
      if (number) { control("consult", (data) => showCall(data.call), { number: number }); return; }
      const [to, ...name] = $("transfer-target").value.split(":");
      if (to !== "agent" && to !== "queue") { say(t("Choose an agent or a queue, or type a number to consult.")); return; }
      control("consult", (data) => showCall(data.call), { [to]: name.join(":") });
    });
    $("consult-toggle").addEventListener("click", () => control("consult/toggle", (data) => showCall(data.call)));
    $("consult-join").addEventListener("click", () => control("consult/join", (data) => showCall(data.call)));
    $("consult-cancel").addEventListener("click", () => control("consult/cancel", (data) => showCall(data.call)));
    $("consult-complete").addEventListener("click", () => control("consult/complete", () => say(t("Transferred."))));
    $("transfer-form").addEventListener("submit", (event) => {
      event.preventDefault();
      // A typed number wins over the list: one of ours, an extension, an outside number.
      const number = $("transfer-number").value.trim();
      const [to, ...name] = number ? ["number", number] : $("transfer-target").value.split(":");
      const body = { to: to, target: name.join(":"), keep_place: $("transfer-keep").checked };
      const callId = $("call-controls").dataset.callId;
      if (!callId || !body.target) { return; }
      call(`/api/calls/${callId}/transfer`, body).then(() => {
        $("transfer-form").hidden = true;
        say(t("Transferred."));
      }).catch(() => {});
    });
  }

  // Agents (with their state) and queues (with their line) a call can be handed to.
  async function showTransferTargets() {
    const response = await fetch("/api/transfer-targets", { headers: { "Accept": "application/json" } });
    if (!response.ok) { say(t("failed")); return; }
    const targets = await response.json();
    const group = (label, options) => {
      const element = document.createElement("optgroup");
      element.label = t(label);
      element.append(...options.map(([value, text]) => {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = text;
        return option;
      }));
      return element;
    };
    const agents = targets.agents.filter((a) => a.username !== username)
      .map((a) => [`agent:${a.username}`, `${a.username} (${a.state})`]);
    const queues = targets.queues.map((q) => [`queue:${q.name}`, `${q.name} (${q.waiting} ${t("waiting")})`]);
    const mailboxes = targets.mailboxes.filter((m) => m.username !== username)
      .map((m) => [`mailbox:${m.username}`, m.name || m.username]);
    $("transfer-target").replaceChildren(
      group("Agents", agents), group("Queues", queues), group("Voicemail", mailboxes));
    $("transfer-number").value = "";
    $("transfer-form").hidden = false;
  }

  function showFigures(queues) {
    const body = document.querySelector("#figures tbody");
    if (body) {
      body.replaceChildren(...Object.entries(queues).map(([name, f]) => {
        const row = document.createElement("tr");
        for (const value of [name, f.waiting, `${Math.round(f.longest_wait)} s`, f.agents_ready, f.agents_logged_in]) {
          const cell = document.createElement("td");
          cell.textContent = String(value);
          row.append(cell);
        }
        return row;
      }));
    }
  }

  async function refreshChats() {
    const response = await fetch("/api/chats/counts", { headers: { "Accept": "application/json" } });
    if (!response.ok) { return; }
    const chats = await response.json();
    $("chats-waiting").textContent = `${chats.waiting} ${t("waiting")}, ${chats.mine} ${t("mine")}`;
  }

  async function refreshOverview() {
    if (!$("agents")) { return; }
    const response = await fetch("/api/overview", { headers: { "Accept": "application/json" } });
    if (!response.ok) { return; }
    const data = await response.json();
    const items = (list, render) => list.map((item) => {
      const li = document.createElement("li");
      li.textContent = render(item);
      return li;
    });
    $("agents").replaceChildren(...items(data.agents, (a) => `${a.username}: ${a.state}`));
    $("waiting").replaceChildren(...items(Object.entries(data.queues), ([q, f]) => `${q}: ${f.waiting}`));
    $("today").textContent = `${data.today.calls} ${t("calls")}, ${data.today.answered} ${t("answered")}, ${data.today.abandoned} ${t("abandoned")}`;
  }

  let delay = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/agents/${username}/events`);
    socket.addEventListener("open", () => {
      delay = 1000;
      if ($("connection")) { $("connection").textContent = t("live"); }
    });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "hello" || event.type === "state") { $("state").textContent = event.state; }
      else if (event.type === "offer") { showOffer(event); }
      else if (event.type === "call") { showCall(event); }
      else if (event.type === "figures") { showFigures(event.queues); refreshOverview(); }
    });
    socket.addEventListener("close", () => {
      if ($("connection")) { $("connection").textContent = t("reconnecting…"); }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    });
  }
  connect();
  refreshOverview();
  if ($("chats-waiting")) { refreshChats(); setInterval(refreshChats, 5000); }  // chats change without calls
})();
