// docker events, live, newest on top, bounded.
"use strict";

(() => {
  const table = document.getElementById("events");
  if (!table) return;
  const body = table.querySelector("tbody");
  const status = document.getElementById("events-status");
  const MAX_ROWS = 1000;
  openStream(table.dataset.socket, (frame) => {
    if (frame.t === "event") {
      const e = frame.event;
      const tr = document.createElement("tr");
      const when = new Date(e.time_nano / 1e6).toISOString().replace("T", " ").replace("Z", "");
      [when, e.type, e.action, e.name, e.actor_id.slice(0, 12)].forEach((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      body.prepend(tr);
      while (body.childElementCount > MAX_ROWS) body.lastElementChild.remove();
      status.textContent = "live";
    } else if (frame.text) {
      status.textContent = frame.text;
    }
  }, (event) => { if (event.code !== 1000) status.textContent += ` (closed: ${event.code})`; });
  status.textContent = "live";
})();
