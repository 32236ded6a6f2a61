// The ticket page: a chosen suggested solution goes into the reply box.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const suggested = document.getElementById("suggested");
  if (!suggested) { return; }
  suggested.addEventListener("change", () => {
    const target = document.getElementById(suggested.dataset.target);
    if (target && suggested.value) { target.value = suggested.value; target.focus(); }
  });
});
