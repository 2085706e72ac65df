// The live log view: lines from the logs websocket, bounded in the DOM, searchable,
// pausable. Every frame is acknowledged so the server can pace the engine read.
"use strict";

(() => {
  const view = document.getElementById("log");
  if (!view) return;
  const maxLines = parseInt(view.dataset.maxLines, 10) || 5000;
  const status = document.getElementById("log-status");
  const droppedNote = document.getElementById("log-dropped");
  const search = document.getElementById("log-search");
  const regexBox = document.getElementById("log-regex");
  const onlyMatches = document.getElementById("log-only-matches");
  const pauseButton = document.getElementById("log-pause");
  const wrapBox = document.getElementById("log-wrap");
  const STREAM_CLASS = { 0: "tty", 1: "stdout", 2: "stderr" };

  let paused = false, held = [], dropped = 0, matcher = null, names = [];

  function makeMatcher() {
    const text = search.value;
    if (!text) return null;
    if (regexBox.checked) {
      try { return new RegExp(text, "gi"); } catch (e) { search.classList.add("invalid"); return null; }
    }
    return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
  }

  function highlight(line) {
    const text = line.logPlain;
    // Back to the coloured rendering, then marks over the plain text where it matches.
    const target = line.logBody || line;
    target.textContent = "";
    if (!matcher) { Ansi.render(target, line.logText); line.hidden = false; return; }
    matcher.lastIndex = 0;
    let last = 0, m, found = false;
    while ((m = matcher.exec(text)) !== null) {
      if (m[0] === "") { matcher.lastIndex++; continue; }
      found = true;
      target.appendChild(document.createTextNode(text.slice(last, m.index)));
      const mark = document.createElement("mark");
      mark.textContent = m[0];
      target.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (!found) { Ansi.render(target, line.logText); } else { target.appendChild(document.createTextNode(text.slice(last))); }
    line.hidden = onlyMatches.checked && !found;
  }

  // A merged view's line carries its container's index: a coloured name column.
  function lineElement(stream, text, who) {
    const line = document.createElement("div");
    line.className = "line " + (STREAM_CLASS[stream] || "stdout");
    line.logText = text;
    const body = document.createElement("span");
    line.logPlain = Ansi.render(body, text);
    if (who !== undefined) {
      const name = document.createElement("span");
      name.className = "who c" + (who % 8);
      name.textContent = names[who] || "?";
      line.append(name, body);
      line.logBody = body;
    } else {
      line.append(...body.childNodes);
    }
    if (matcher) highlight(line);
    return line;
  }

  function trim() {
    const extra = view.childElementCount - maxLines;
    for (let i = 0; i < extra; i++) view.firstElementChild.remove();
    if (extra > 0) {
      dropped += extra;
      droppedNote.hidden = false;
      droppedNote.textContent = `${dropped} older lines dropped from view (the page keeps ${maxLines}); download the .log for everything.`;
    }
  }

  function append(lines) {
    const atBottom = view.scrollTop + view.clientHeight >= view.scrollHeight - 4;
    const fragment = document.createDocumentFragment();
    const start = Math.max(0, lines.length - maxLines);
    if (start > 0) { dropped += start; }
    for (let i = start; i < lines.length; i++) fragment.appendChild(lineElement(lines[i][0], lines[i][1], lines[i][2]));
    view.appendChild(fragment);
    trim();
    if (atBottom) view.scrollTop = view.scrollHeight;
  }

  function receive(lines) {
    if (paused) {
      held.push(...lines);
      if (held.length > maxLines) { dropped += held.length - maxLines; held = held.slice(-maxLines); }
      status.textContent = `paused (${held.length} lines held)`;
    } else {
      append(lines);
    }
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    if (!paused) { const lines = held; held = []; append(lines); status.textContent = "live"; }
  });
  function refilter() {
    search.classList.remove("invalid");
    matcher = makeMatcher();
    for (const line of view.children) highlight(line);
  }
  search.addEventListener("input", refilter);
  regexBox.addEventListener("change", refilter);
  onlyMatches.addEventListener("change", refilter);
  wrapBox.addEventListener("change", () => view.classList.toggle("wrap", wrapBox.checked));

  const socket = openStream(view.dataset.socket, (frame) => {
    if (frame.t === "lines") receive(frame.lines);
    else if (frame.t === "status") { if (frame.names) names = frame.names; if (frame.text) status.textContent = frame.text; }
    else if (frame.t === "error") status.textContent = frame.text;
  }, (event) => {
    if (event.code !== 1000 && !status.textContent.startsWith("End")) {
      status.textContent = status.textContent + ` (closed: ${event.code})`;
    }
    view.dataset.closed = String(event.code);
  });
  socket.addEventListener("open", () => { status.textContent = "live"; });
})();
