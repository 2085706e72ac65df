// The container list follows the engine: every container event makes htmx fetch the
// rows again (throttled), so a container started from a shell shows up by itself.
"use strict";

(() => {
  const marker = document.getElementById("container-events");
  if (!marker) return;
  openStream(marker.dataset.socket, (frame) => {
    if (frame.t === "event") document.body.dispatchEvent(new Event("engine-event"));
  });
})();
