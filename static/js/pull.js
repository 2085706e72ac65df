// "Pull and run": the pull runs over the websocket with a bar per layer; once the image
// is there the form is sent to run the container. Without JavaScript the button still
// works: the server pulls, then runs.
"use strict";

(() => {
  const button = document.querySelector("button[data-pull-socket]");
  if (!button) return;
  const panel = document.getElementById("pull-progress");

  function render(frame) {
    panel.replaceChildren();
    for (const layer of frame.layers) {
      const row = document.createElement("div");
      row.className = "layer";
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
    if (frame.status) {
      const line = document.createElement("div");
      line.className = "muted";
      line.textContent = frame.status;
      panel.appendChild(line);
    }
  }

  button.addEventListener("click", (event) => {
    event.preventDefault();
    button.disabled = true;
    panel.hidden = false;
    panel.textContent = "starting the pull…";
    openStream(button.dataset.pullSocket, (frame) => {
      if (frame.t === "progress") render(frame);
      else if (frame.t === "error" || frame.error) {
        const error = document.createElement("p");
        error.className = "error";
        error.textContent = frame.text;
        panel.appendChild(error);
        button.disabled = false;
      } else if (frame.end) {
        panel.dataset.done = "1";
        document.getElementById("run-form").submit();
      }
    });
  });
})();
