// A standard text chosen from a list goes into the text being written: the reply's rich-text
// editor or the chat box, where the cursor is.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-insert-into]").forEach((list) => {
    list.addEventListener("change", () => {
      const target = document.getElementById(list.dataset.insertInto);
      if (!target || !list.value) { return; }
      if (target.editor) {
        target.editor.insertString(list.value);
      } else {
        const at = target.selectionStart ?? target.value.length;
        target.value = target.value.slice(0, at) + list.value + target.value.slice(target.selectionEnd ?? at);
        target.dispatchEvent(new Event("input"));
      }
      target.focus();
      list.value = "";
    });
  });
});
