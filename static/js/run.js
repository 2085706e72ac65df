// The run form's volume picker: an existing volume and a path inside the container,
// added as one NAME:/path line to the -v box. Without this script the -v help names
// the volumes instead.
"use strict";

(() => {
  const picker = document.getElementById("volume-picker");
  const box = document.getElementById("id_volumes");
  if (!picker || !box) return;
  const volume = document.getElementById("volume-pick-name");
  const path = document.getElementById("volume-pick-path");
  const add = document.getElementById("volume-pick-add");
  const problem = document.getElementById("volume-pick-problem");

  function complain(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  function addLine() {
    const target = path.value.trim();
    if (!volume.value) {
      complain("Choose a volume first.");
      volume.focus();
      return;
    }
    if (!target.startsWith("/")) {
      complain("Mount it at an absolute path inside the container, e.g. /data.");
      path.focus();
      return;
    }
    complain("");
    const text = box.value;
    const separator = text && !text.endsWith("\n") ? "\n" : "";
    box.value = `${text}${separator}${volume.value}:${target}`;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    path.value = "";
    volume.value = "";
  }

  add.addEventListener("click", addLine);
  // Enter in the path box adds the line; it must not submit (and run) the form.
  path.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addLine();
    }
  });
  picker.hidden = false;
})();
