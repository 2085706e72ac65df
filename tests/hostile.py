"""A container whose every free-text field carries markup, script URLs and ANSI escapes,
for the hostile-data tests (HTML in tests/test_hostile_data.py, Chromium in
tests/e2e/test_hostile.py)."""

from __future__ import annotations

import re

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
JS_URL = "javascript:window.__pwned=1"
ANSI = "\x1b[31mred\x1b[0m \x1b]8;;javascript:window.__pwned=1\x07osc-link\x1b]8;;\x07 \x1b[2J"
PAYLOADS = (SCRIPT, IMG, JS_URL)
# File names cannot hold "/", so the script tag there is the slashless kind.
FILE_NAMES = ("<img src=x onerror=window.__pwned=1>", "<svg onload=window.__pwned=1>", JS_URL)

LABELS = {"console.test.hostile": "1", "evil.script": SCRIPT, "evil.img": IMG, "evil.url": JS_URL}
ENV = [f"EVIL_SCRIPT={SCRIPT}", f"EVIL_IMG={IMG}", f"EVIL_URL={JS_URL}", f"EVIL_ANSI={ANSI}"]


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def command() -> list[str]:
    """Make the hostile files, print every payload on stdout and stderr, then wait."""
    touches = " ".join(_sh_quote("/tmp/hostile/" + name) for name in FILE_NAMES)
    prints = " ".join(_sh_quote(p) for p in (*PAYLOADS, ANSI))
    script = (
        f"mkdir -p /tmp/hostile && touch {touches}; "
        f"for p in {prints}; do printf '%s\\n' \"$p\"; printf '%s\\n' \"$p\" >&2; done; "
        "trap 'exit 0' TERM; sleep 600 & wait"
    )
    return ["sh", "-c", script]


# Markup that would run if a payload reached the page unescaped.
LIVE = re.compile(
    r"<script>window\.__pwned|<img src=x onerror|<svg onload|"
    r"(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:",
    re.IGNORECASE,
)


def live_markup(html: str) -> list[str]:
    return LIVE.findall(html)
