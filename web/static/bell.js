// The top bar's bell: the count of unread notifications, asked for now and every 20 s (so a
// mention or a ticket given while the page was open shows without a reload). When the count
// grows it raises a desktop notification (if the user allowed them) and a short tone (if
// they chose a sound on the notifications page).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const count = document.getElementById("bell-count");
  if (!count) { return; }
  const SOUND = "ehd-bell-sound";
  let known = null;

  function tone() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    const audio = new Context();
    const beep = audio.createOscillator();
    const level = audio.createGain();
    beep.frequency.value = 880;
    level.gain.setValueAtTime(0.2, audio.currentTime);
    level.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    beep.connect(level).connect(audio.destination);
    beep.start();
    beep.stop(audio.currentTime + 0.4);
  }

  function tell(latest) {
    if (window.Notification && Notification.permission === "granted" && latest) {
      const note = new Notification(latest.text, { tag: `ehd-${latest.id}` });
      note.onclick = () => { window.focus(); location.href = "/notifications"; };
    }
    if (localStorage.getItem(SOUND) === "on") { tone(); }
  }

  async function poll() {
    try {
      const answer = await fetch("/api/notifications", { credentials: "same-origin" });
      if (answer.ok) {
        const data = await answer.json();
        count.textContent = data.unread > 99 ? "99+" : String(data.unread);
        count.hidden = data.unread === 0;
        if (known !== null && data.unread > known) { tell(data.latest[0]); }
        known = data.unread;
      }
    } catch (error) {
      // offline for a moment: the next poll tries again
    }
    setTimeout(poll, 20000);
  }
  poll();

  const desktop = document.getElementById("desktop-alerts");
  if (desktop && window.Notification) {
    desktop.disabled = Notification.permission === "granted";
    desktop.addEventListener("click", async () => {
      desktop.disabled = (await Notification.requestPermission()) === "granted";
    });
  } else if (desktop) {
    desktop.hidden = true;
  }
  const sound = document.getElementById("sound-alerts");
  if (sound) {
    sound.checked = localStorage.getItem(SOUND) === "on";
    sound.addEventListener("change", () => {
      localStorage.setItem(SOUND, sound.checked ? "on" : "off");
      if (sound.checked) { tone(); }
    });
  }
});
