// Live progress of a pull or a push over its websocket: a bar per layer, then the
// engine's closing lines. Used by the run form ("Pull and run"), the pull page and the
// push page; each works without JavaScript too (the server then waits for the end).
"use strict";

(() => {
  function line(className, text) {
    const element = document.createElement("div");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function render(panel, frame) {
    panel.replaceChildren();
    for (const layer of frame.layers) {
      const row = document.createElement("div");
      row.className = "layer";
      row.dataset.layer = layer.layer;
      const label = document.createElement("span");
      label.textContent = `${layer.layer}: ${layer.status}`;
      row.appendChild(label);
      if (layer.total) {
        const bar = document.createElement("progress");
        bar.max = layer.total;
        bar.value = layer.current || 0;
        row.appendChild(bar);
      }
      panel.appendChild(row);
    }
    if (frame.status) panel.appendChild(line("muted status", frame.status));
  }

  // Follow the job at `path` in `panel`; onEnd(ok) once the engine has finished.
  window.followProgress = (panel, path, onEnd) => {
    panel.hidden = false;
    panel.dataset.done = "";
    panel.dataset.failed = "";
    panel.textContent = "starting…";
    openStream(path, (frame) => {
      if (frame.t === "progress") {
        render(panel, frame);
      } else if (frame.t === "error" || frame.error) {
        panel.appendChild(line("error", frame.text));
        panel.dataset.failed = "1";
        if (onEnd) onEnd(false, frame);
      } else if (frame.end) {
        panel.querySelector(".status")?.remove();
        for (const text of frame.summary || [frame.text]) panel.appendChild(line("final", text));
        panel.dataset.done = "1";
        if (onEnd) onEnd(true, frame);
      }
    });
  };

  // Run form: pull the missing image, then send the form to run the container.
  const button = document.querySelector("button[data-pull-socket]");
  if (button) {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      button.disabled = true;
      followProgress(document.getElementById("pull-progress"), button.dataset.pullSocket, (ok) => {
        if (ok) document.getElementById("run-form").submit();
        else button.disabled = false;
      });
    });
  }

  // Pull page: the form's fields become the socket's query string.
  for (const form of document.querySelectorAll("form[data-progress-socket]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      const query = new URLSearchParams();
      for (const [key, value] of new FormData(form)) {
        if (key !== "csrfmiddlewaretoken") query.append(key, value);
      }
      submit.disabled = true;
      const panel = document.getElementById(form.dataset.progressPanel);
      followProgress(panel, `${form.dataset.progressSocket}?${query}`, () => {
        submit.disabled = false;
      });
    });
  }

  // Push page: with a script, the server tags and leaves the push to the socket job.
  for (const form of document.querySelectorAll("form[data-live-push]")) {
    form.elements.live.value = "1";
  }

  // Push page: the job was asked for by the form just sent; follow it at once.
  for (const panel of document.querySelectorAll("[data-progress-autostart]")) {
    followProgress(panel, panel.dataset.progressAutostart);
  }
})();
