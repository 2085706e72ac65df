// docker stats, live: one container with charts, or the host's table.
"use strict";

(() => {
  const single = document.getElementById("stats");
  const table = document.getElementById("host-stats");
  const fmt = window.formatBytes;

  if (single) {
    const status = document.getElementById("stats-status");
    const windows = single.dataset.windows === "1";
    const points = 120;
    const times = [], cpu = [], mem = [];
    const chart = (id, label, series) => new uPlot({
      width: document.getElementById(id).clientWidth || 300, height: 120, legend: { show: false },
      series: [{}, { label, stroke: "#1f6feb", width: 1.5, fill: "rgba(31,111,235,.1)" }],
      axes: [{ show: false }, { size: 50 }],
    }, [times, series], document.getElementById(id));
    const cpuChart = chart("c-cpu", "CPU %", cpu);
    const memChart = chart("c-mem", "Memory", mem);
    openStream(single.dataset.socket, (frame) => {
      if (frame.t === "stats") {
        const s = frame.sample;
        times.push(Date.now() / 1000); cpu.push(s.cpu_percent); mem.push(s.memory_used);
        if (times.length > points) { times.shift(); cpu.shift(); mem.shift(); }
        cpuChart.setData([times, cpu]); memChart.setData([times, mem]);
        document.getElementById("s-cpu").textContent = s.cpu_percent.toFixed(2) + " %";
        document.getElementById("s-mem").textContent = windows ? fmt(s.memory_used)
          : `${fmt(s.memory_used)} / ${fmt(s.memory_limit)} (${s.memory_percent.toFixed(2)} %)`;
        document.getElementById("s-net").textContent = `${fmt(s.net_rx)} / ${fmt(s.net_tx)}`;
        document.getElementById("s-blk").textContent = `${fmt(s.block_read)} / ${fmt(s.block_write)}`;
        const pids = document.getElementById("s-pids");
        if (pids) pids.textContent = s.pids;
        status.textContent = "live";
      } else if (frame.text) {
        status.textContent = frame.text;
      }
    });
  }

  if (table) {
    const body = table.querySelector("tbody");
    openStream(table.dataset.socket, (frame) => {
      if (frame.t !== "table") return;
      const rows = frame.rows.map((s) => {
        const tr = document.createElement("tr");
        const cells = [s.name, s.cpu_percent.toFixed(2) + " %",
          s.memory_limit ? `${fmt(s.memory_used)} / ${fmt(s.memory_limit)}` : fmt(s.memory_used),
          s.memory_limit ? s.memory_percent.toFixed(2) + " %" : "–",
          `${fmt(s.net_rx)} / ${fmt(s.net_tx)}`, `${fmt(s.block_read)} / ${fmt(s.block_write)}`,
          s.pids === null ? "–" : String(s.pids)];
        cells.forEach((text, i) => {
          const td = document.createElement("td");
          td.textContent = text;
          if (i) td.className = "num";
          tr.appendChild(td);
        });
        return tr;
      });
      body.replaceChildren(...rows);
      if (!rows.length) body.innerHTML = '<tr><td colspan="7" class="muted">no running containers</td></tr>';
    });
  }
})();
