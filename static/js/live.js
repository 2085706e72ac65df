// One helper for every acknowledged websocket the pages open.
"use strict";

// A frame too big for one websocket message comes as parts ({seq, part, more}): their
// texts joined are the frame's JSON (console/streams/consumers.py).
window.openStream = (path, onFrame, onClose) => {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + path);
  let parts = [];
  socket.addEventListener("message", (event) => {
    let frame = JSON.parse(event.data);
    const seq = frame.seq;
    if (frame.part !== undefined) {
      parts.push(frame.part);
      if (frame.more) { socket.send(JSON.stringify({ ack: seq })); return; }
      frame = JSON.parse(parts.join(""));
      parts = [];
    }
    onFrame(frame);
    if (seq) socket.send(JSON.stringify({ ack: seq }));
  });
  if (onClose) socket.addEventListener("close", onClose);
  return socket;
};

window.formatBytes = (n) => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
};
