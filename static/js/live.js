// One helper for every acknowledged websocket the pages open.
"use strict";

window.openStream = (path, onFrame, onClose) => {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + path);
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    onFrame(frame);
    if (frame.seq) socket.send(JSON.stringify({ ack: frame.seq }));
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
