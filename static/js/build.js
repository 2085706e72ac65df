// A build's log, live: lines (ANSI colours kept, everything else as text) until the
// engine's verdict, then a link to the new image. Without JavaScript the page reloads.
"use strict";

(() => {
  const log = document.querySelector("[data-build-socket]");
  if (!log) return;
  const result = document.getElementById("build-result");
  const outcome = document.getElementById("build-outcome");
  const link = document.getElementById("build-image");

  function append(text, className) {
    const line = document.createElement("div");
    line.className = className || "line";
    Ansi.render(line, text);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.appendChild(line);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function finish(text, failed, url) {
    result.hidden = false;
    result.classList.toggle("bad", failed);
    outcome.className = failed ? "error" : "final";
    outcome.textContent = text;
    if (url) { link.href = url; link.hidden = false; }
    log.dataset.done = failed ? "failed" : "ok";
  }

  log.replaceChildren(); // the socket sends the whole log kept so far
  openStream(log.dataset.buildSocket, (frame) => {
    if (frame.t === "lines") {
      if (frame.skipped) append(`… ${frame.skipped} earlier lines not kept`, "line muted");
      for (const text of frame.lines) append(text);
    } else if (frame.t === "error") {
      finish(frame.text, true);
    } else if (frame.end) {
      finish(frame.text, Boolean(frame.error), frame.url);
    }
  });
})();
