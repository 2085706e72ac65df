// ANSI SGR colours -> DOM spans. Only colours and bold: every character of the
// text goes in through textContent, and every other escape sequence is dropped.
"use strict";

window.Ansi = (() => {
  const ESCAPE = /\x1b\[([0-9;]*)([A-Za-z])|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
  const BASIC = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

  function xterm256(n) {
    if (n < 16) return null; // named classes cover these
    if (n >= 232) { const g = 8 + (n - 232) * 10; return `rgb(${g},${g},${g})`; }
    const v = n - 16, steps = [0, 95, 135, 175, 215, 255];
    return `rgb(${steps[Math.floor(v / 36)]},${steps[Math.floor(v / 6) % 6]},${steps[v % 6]})`;
  }

  function applySgr(state, params) {
    const codes = params === "" ? [0] : params.split(";").map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) { state.fg = state.bg = null; state.bold = false; }
      else if (c === 1) state.bold = true;
      else if (c === 22) state.bold = false;
      else if (c >= 30 && c <= 37) state.fg = { cls: "fg-" + BASIC[c - 30] };
      else if (c >= 90 && c <= 97) state.fg = { cls: "fg-bright-" + BASIC[c - 90] };
      else if (c === 39) state.fg = null;
      else if (c >= 40 && c <= 47) state.bg = { cls: "bg-" + BASIC[c - 40] };
      else if (c === 49) state.bg = null;
      else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
        const n = codes[i + 2], rgb = xterm256(n);
        const colour = rgb ? { rgb } : { cls: (c === 38 ? "fg-" : "bg-") + (n > 7 ? "bright-" : "") + BASIC[n % 8] };
        if (c === 38) state.fg = colour; else state.bg = colour;
        i += 2;
      } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
        const colour = { rgb: `rgb(${codes[i + 2] | 0},${codes[i + 3] | 0},${codes[i + 4] | 0})` };
        if (c === 38) state.fg = colour; else state.bg = colour;
        i += 4;
      }
    }
  }

  function span(state, text) {
    if (!state.fg && !state.bg && !state.bold) return document.createTextNode(text);
    const el = document.createElement("span");
    el.textContent = text;
    if (state.bold) el.classList.add("bold");
    if (state.fg) { if (state.fg.cls) el.classList.add(state.fg.cls); else el.style.color = state.fg.rgb; }
    if (state.bg) { if (state.bg.cls) el.classList.add(state.bg.cls); else el.style.backgroundColor = state.bg.rgb; }
    return el;
  }

  // Append `text` to `parent`; returns the plain text (escape sequences removed).
  function render(parent, text) {
    if (text.indexOf("\x1b") === -1) { parent.textContent = text; return text; }
    const state = { fg: null, bg: null, bold: false };
    let plain = "", last = 0, m;
    ESCAPE.lastIndex = 0;
    while ((m = ESCAPE.exec(text)) !== null) {
      if (m.index > last) { const part = text.slice(last, m.index); parent.appendChild(span(state, part)); plain += part; }
      if (m[2] === "m") applySgr(state, m[1]);
      last = ESCAPE.lastIndex;
    }
    if (last < text.length) { const part = text.slice(last); parent.appendChild(span(state, part)); plain += part; }
    return plain;
  }

  function strip(text) { return text.replace(ESCAPE, ""); }

  return { render, strip };
})();
