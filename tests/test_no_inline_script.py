"""The CSP allows scripts only from our files: no template (or HTML built in Python) may
hold an inline <script>, an on* handler, hx-on, or a javascript: URL."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [*ROOT.glob("templates/**/*.html"), *ROOT.glob("console/**/*.py")],
    key=str,
)
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE),  # onclick=, onload=...
    re.compile(r"\bhx-on", re.IGNORECASE),
    re.compile(r"""["'=]\s*javascript:""", re.IGNORECASE),  # href="javascript:..."
    re.compile(r"""<[^>]*\sstyle\s*=\s*["'{]""", re.IGNORECASE),  # style-src 'self' too
]


def test_sources_are_found():
    assert any(p.name == "base.html" for p in SOURCES)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_or_style(path):
    text = path.read_text(errors="replace")
    for pattern in INLINE:
        found = pattern.search(text)
        assert found is None, f"{path.relative_to(ROOT)}: {found.group(0)!r} (move it to static/)"
