// xterm.js on the exec/attach websocket: keystrokes go out as binary frames, output
// comes in as binary frames (each acknowledged, so the server paces the engine read),
// control messages are JSON.
"use strict";

(() => {
  const element = document.getElementById("terminal");
  if (!element) return;
  const status = document.getElementById("term-status");
  const CLOSE_REASONS = {
    4400: "bad request", 4401: "not logged in", 4403: "not allowed", 4404: "no such host",
    4410: "the container no longer exists", 4502: "the host does not answer",
  };

  // A custom command typed in the options form wins over the chosen shell.
  const form = document.getElementById("exec-options");
  if (form) {
    form.addEventListener("submit", () => {
      const custom = document.getElementById("exec-custom");
      if (custom.value.trim()) {
        const select = document.getElementById("exec-cmd");
        const option = new Option(custom.value.trim(), custom.value.trim(), true, true);
        select.add(option);
      }
      custom.disabled = true;
    });
  }

  const term = new Terminal({ cursorBlink: true, convertEol: false, scrollback: 5000,
                              fontFamily: "ui-monospace, Menlo, Consolas, monospace", fontSize: 13 });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();

  const params = new URLSearchParams(element.dataset.query);
  params.delete("custom");
  params.set("cols", term.cols);
  params.set("rows", term.rows);
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + element.dataset.socket + "?" + params);
  socket.binaryType = "arraybuffer";
  const encoder = new TextEncoder();
  let received = 0;

  socket.addEventListener("open", () => { status.textContent = "connected"; term.focus(); });
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") {
      const frame = JSON.parse(event.data);
      // A container without a tty ends its lines with LF alone (the attach socket says).
      if (frame.tty === false) term.options.convertEol = true;
      if (frame.text) status.textContent = frame.text;
      return;
    }
    term.write(new Uint8Array(event.data));
    received += 1;
    socket.send(JSON.stringify({ ack: received }));
  });
  socket.addEventListener("close", (event) => {
    const reason = CLOSE_REASONS[event.code];
    if (reason) status.textContent = `closed: ${reason}`;
    else if (!status.textContent.startsWith("The") && !status.textContent.startsWith("Detached")) status.textContent = "closed";
    element.dataset.closed = String(event.code);
  });
  term.onData((data) => { if (socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data)); });
  term.onBinary((data) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
    socket.send(bytes);
  });
  term.onResize(({ cols, rows }) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ resize: [cols, rows] }));
  });
  window.addEventListener("resize", () => fit.fit());
  window.consoleTerminal = term; // for the browser tests
})();
