// The browser phone: registers the agent's SIP extension over the page's own origin (JsSIP,
// bundled from npm into /static/vendor/jssip.js), rings, answers, mutes, sends keys, and
// holds through ehd's call control so the caller hears the queue's music, as from a desk
// phone. The agent's events feed adds the offered call's queue and contact to the ringing.
"use strict";

(function () {
  const root = document.getElementById("phone");
  if (!root) { return; }
  const $ = (id) => document.getElementById(id);
  const username = root.dataset.username;
  const labels = JSON.parse(root.dataset.labels || "{}");
  const t = (text) => labels[text] || text;
  const stored = (key, fallback) => localStorage.getItem(`ehd-phone-${key}`) ?? fallback;
  const store = (key, value) => localStorage.setItem(`ehd-phone-${key}`, value);

  function state(text) { $("phone-state").textContent = t(text); root.dataset.state = text; }
  function problem(text) {
    const box = $("phone-problem");
    box.textContent = text ? t(text) : "";
    box.hidden = !text;
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method: method,
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) { throw new Error(data.message || t("failed")); }
    return data;
  }

  // The ring: a two-tone burst every four seconds, made here (no sound file to load).
  let ringing = null;
  let audioContext = null;
  function ring(on) {
    clearInterval(ringing);
    ringing = null;
    if (!on) { return; }
    audioContext = audioContext || new AudioContext();
    const burst = () => {
      const now = audioContext.currentTime;
      for (const [hz, start] of [[440, 0], [480, 0]]) {
        const tone = audioContext.createOscillator();
        const gain = audioContext.createGain();
        tone.frequency.value = hz;
        gain.gain.value = 0.08;
        tone.connect(gain).connect(audioContext.destination);
        tone.start(now + start);
        tone.stop(now + start + 1.5);
      }
    };
    burst();
    ringing = setInterval(burst, 4000);
  }

  // Devices: the chosen microphone and speaker, remembered in this browser.
  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    for (const [kind, select] of [["audioinput", $("phone-mic")], ["audiooutput", $("phone-speaker")]]) {
      const key = kind === "audioinput" ? "mic" : "speaker";
      const found = devices.filter((d) => d.kind === kind);
      select.replaceChildren(...found.map((device, i) => {
        const option = document.createElement("option");
        option.value = device.deviceId;
        option.textContent = device.label || `${kind === "audioinput" ? t("Microphone") : t("Speaker")} ${i + 1}`;
        return option;
      }));
      select.value = stored(key, "");
      if (!select.value && found.length) { select.value = found[0].deviceId; }
      select.disabled = found.length === 0;
    }
    const audio = $("phone-audio");
    if (audio.setSinkId && $("phone-speaker").value) {
      audio.setSinkId($("phone-speaker").value).catch(() => {});
    }
  }
  function microphone() {
    const id = $("phone-mic").value;
    return id ? { deviceId: { exact: id } } : true;
  }

  async function microphoneAllowed() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: microphone(), video: false });
      stream.getTracks().forEach((track) => track.stop());
      return true;
    } catch (err) {
      problem(err.name === "NotAllowedError"
        ? "The browser refused the microphone: allow it for this site, then reload the page."
        : "No microphone was found: connect one, then reload the page.");
      state("off");
      return false;
    }
  }

  // The call: one at a time; what ehd says about it (its id, held or not) comes from the feed.
  // A call the agent dials here is placed by ehd (click-to-dial): it rings this phone first,
  // showing the number, and is answered at once.
  let session = null;
  let dialled = null;
  let placedSession = null;
  let offer = null;
  let ehdCall = null;
  let started = 0;
  let ticking = null;

  function showCall() {
    const panel = $("phone-call");
    panel.hidden = session === null;
    $("phone-dial").hidden = session !== null || !registered;
    if (session === null) { clearInterval(ticking); return; }
    const identity = session.remote_identity;
    const placed = session === placedSession;
    $("phone-caller").textContent = identity.display_name
      ? `${identity.display_name} (${identity.uri.user})` : identity.uri.user;
    const incoming = session.direction === "incoming" && !placed;
    const answered = session.isEstablished();
    $("phone-direction").textContent = t(answered ? "In call with" : incoming ? "Call from" : "Calling");
    $("phone-answer").hidden = !incoming || answered;
    $("phone-mute").hidden = $("phone-hold").hidden = $("phone-keypad").hidden = !answered;
    const muted = session.isMuted().audio;
    $("phone-mute").textContent = t(muted ? "Unmute" : "Mute");
    $("phone-mute").setAttribute("aria-pressed", String(muted));
    const held = ehdCall !== null && ehdCall.state === "held";
    $("phone-hold").textContent = t(held ? "Resume" : "Hold");
    $("phone-hold").setAttribute("aria-pressed", String(held));
    $("phone-offer").hidden = offer === null;
    if (offer !== null) {
      $("phone-queue").textContent = offer.queue || "–";
      $("phone-waited").textContent = `${Math.round(offer.waited_seconds || 0)} s`;
      const contact = offer.contact;
      $("phone-contact").textContent = contact ? contact.name : t("not known");
    }
  }

  function attachAudio(connection) {
    connection.addEventListener("track", (event) => {
      const audio = $("phone-audio");
      audio.srcObject = event.streams[0] || new MediaStream([event.track]);
      audio.play().catch(() => {});
    });
  }

  function answer() {
    if (session === null || session.isEstablished()) { return; }
    session.answer({
      mediaConstraints: { audio: microphone(), video: false },
      pcConfig: { iceServers: settings.ice_servers },
    });
  }

  function adopt(incoming) {
    session = incoming;
    if (offer !== null && Date.now() - offer.received > 60000) { offer = null; }  // not this call's
    if (session.connection) { attachAudio(session.connection); }
    session.on("peerconnection", (event) => attachAudio(event.peerconnection));
    // Candidates on every interface can keep ICE gathering busy for seconds: answer with
    // what is there once the candidates pause.
    let gathering = null;
    session.on("icecandidate", (event) => {
      clearTimeout(gathering);
      gathering = setTimeout(event.ready, 500);
    });
    session.on("accepted", () => {
      ring(false);
      started = Date.now();
      clearInterval(ticking);
      ticking = setInterval(() => {
        $("phone-duration").textContent = `${Math.round((Date.now() - started) / 1000)} s`;
      }, 1000);
      state("in call");
      showCall();
    });
    const over = (event) => {
      ring(false);
      if (event && event.cause === JsSIP.C.causes.USER_DENIED_MEDIA_ACCESS) {
        problem("The browser refused the microphone: allow it for this site, then reload the page.");
      }
      session = null;
      offer = null;
      ehdCall = null;
      $("phone-audio").srcObject = null;
      $("phone-duration").textContent = "";
      state(registered ? "ready" : "connecting…");
      showCall();
    };
    session.on("ended", over);
    session.on("failed", over);
    // The ring may come before the answer to the request: until then any ring is ours.
    const ours = dialled !== null && Date.now() < dialled.until
      && (dialled.number === null || session.remote_identity.uri.user === dialled.number);
    dialled = null;
    if (ours) {
      placedSession = session;
      state("calling…");
      showCall();
      answer();
      return;
    }
    state("ringing");
    showCall();
    ring(true);
    if ($("phone-auto-answer").checked && offer !== null) { answer(); }
  }

  let settings = null;
  let ua = null;
  let registered = false;

  function start() {
    if (typeof JsSIP === "undefined") {
      problem("The phone library is missing on the server: run make setup there.");
      state("off");
      return;
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new JsSIP.WebSocketInterface(`${scheme}://${location.host}${settings.socket}`);
    ua = new JsSIP.UA({
      sockets: [socket],
      uri: `sip:${settings.extension}@${location.hostname}`,
      authorization_user: settings.extension,
      password: settings.password,
      display_name: settings.display_name,
      register: true,
      register_expires: 120,
      session_timers: false,
      user_agent: "ehd browser phone",
      // After a lost connection (Asterisk or ehd restarting) try again soon, then every 10 s.
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 10,
    });
    ua.on("connecting", () => { if (!registered) { state("connecting…"); } });
    ua.on("connected", () => problem(""));
    ua.on("disconnected", () => {
      registered = false;
      state("connecting…");
      problem("The connection to the phone server was lost: reconnecting…");
    });
    ua.on("registered", () => {
      registered = true;
      problem("");
      if (session === null) { state("ready"); }
      showCall();
    });
    // A lost connection unregisters too: the phone is then reconnecting, not off.
    ua.on("unregistered", () => {
      registered = false;
      if (session === null) { state(ua.isConnected() ? "off" : "connecting…"); }
    });
    ua.on("registrationFailed", (event) => {
      registered = false;
      state(ua.isConnected() ? "off" : "connecting…");
      problem(event.cause === JsSIP.C.causes.AUTHENTICATION_ERROR
        ? "The phone server refused the phone's password: reload the page."
        : "The phone could not register: trying again…");
    });
    ua.on("newRTCSession", (event) => {
      if (event.originator !== "remote") { return; }
      if (session !== null) {  // one call at a time: a second one is busy here
        event.session.terminate({ status_code: 486 });
        return;
      }
      adopt(event.session);
    });
    ua.start();
  }

  // The agent's events feed: the offered call's details, and ehd's call (for hold).
  let feedDelay = 1000;
  function follow() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const feed = new WebSocket(`${scheme}://${location.host}/api/agents/${username}/events`);
    feed.addEventListener("open", () => { feedDelay = 1000; });
    feed.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "offer") {
        offer = { ...event, received: Date.now() };
        if (session !== null) { showCall(); }
        if (session !== null && !session.isEstablished() && $("phone-auto-answer").checked) { answer(); }
      } else if (event.type === "call") {
        ehdCall = event.state === "ended" ? null : event;
        if (session !== null) { showCall(); }
      }
    });
    feed.addEventListener("close", () => {
      setTimeout(follow, feedDelay);
      feedDelay = Math.min(feedDelay * 2, 15000);
    });
  }

  $("phone-answer")?.addEventListener("click", answer);
  $("phone-dial")?.addEventListener("submit", (event) => {
    event.preventDefault();
    problem("");
    dialled = { number: null, until: Date.now() + 30000 };
    api("POST", "/api/calls/dial", { number: $("phone-number").value })
      .then((placed) => { if (dialled !== null) { dialled.number = placed.number; } })
      .catch((err) => { dialled = null; problem(err.message); });
  });
  $("phone-hangup")?.addEventListener("click", () => { if (session !== null) { session.terminate(); } });
  $("phone-mute")?.addEventListener("click", () => {
    if (session === null) { return; }
    if (session.isMuted().audio) { session.unmute({ audio: true }); } else { session.mute({ audio: true }); }
    showCall();
  });
  $("phone-hold")?.addEventListener("click", () => {
    if (session === null || ehdCall === null) { return; }
    const action = ehdCall.state === "held" ? "resume" : "hold";
    api("POST", `/api/calls/${ehdCall.call_id}/${action}`, {}).catch((err) => problem(err.message));
  });
  for (const key of document.querySelectorAll("#phone-keypad [data-key]")) {
    key.addEventListener("click", () => {
      if (session !== null && session.isEstablished()) {
        session.sendDTMF(key.dataset.key, { transportType: "RFC2833" });
      }
    });
  }
  $("phone-auto-answer")?.addEventListener("change", (event) => store("auto-answer", event.target.checked ? "1" : ""));
  $("phone-mic")?.addEventListener("change", (event) => store("mic", event.target.value));
  $("phone-speaker")?.addEventListener("change", (event) => {
    store("speaker", event.target.value);
    const audio = $("phone-audio");
    if (audio.setSinkId) { audio.setSinkId(event.target.value).catch(() => {}); }
  });

  async function choose(kind) {
    try {
      await api("PUT", `/api/agents/${username}/phone`, { kind: kind });
      location.reload();
    } catch (err) {
      problem(err.message);
    }
  }
  $("phone-use-browser")?.addEventListener("click", () => choose("browser"));
  $("phone-use-desk")?.addEventListener("click", () => choose("desk"));

  async function begin() {
    settings = await api("GET", `/api/agents/${username}/phone`);
    if (settings.kind !== "browser") { state("desk phone"); return; }
    if (!navigator.mediaDevices) {  // not a secure context: no microphone for this page
      const secure = root.dataset.httpsUrl;
      problem(secure ? `${t("The browser phone needs HTTPS: open")} ${secure}/phone`
        : "The browser phone needs HTTPS or localhost.");
      state("off");
      return;
    }
    $("phone-auto-answer").checked = stored("auto-answer", "") === "1";
    if (!await microphoneAllowed()) { return; }
    await listDevices();
    navigator.mediaDevices.addEventListener("devicechange", () => listDevices().catch(() => {}));
    follow();
    start();
  }
  begin().catch((err) => { problem(err.message); state("off"); });
})();
