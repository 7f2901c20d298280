"""The docs stay true: each page's ```python blocks run in order in one namespace, and a
block followed by an ```output block must print exactly that output.

In an ```output block ``...`` matches any text within a line (doctest's ELLIPSIS, kept to one
line so a mismatch points at its line): timings, and what depends on whether a kernel was
compiled earlier in the process or is on disk already. Addresses (``0x7f3a...``) are
normalized on both sides.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```\n(?:\s*^```output\n(.*?)^```)?", re.S | re.M)
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def blocks(text: str) -> list[tuple[str, str | None]]:
    """(code, expected output or None) for each ```python block of a page."""
    return [(m[1], m[2]) for m in BLOCK.finditer(text)]


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is ``expected`` with each ``...`` standing for text on its line."""
    want = ADDRESS.sub("0x...", expected).rstrip("\n").splitlines()
    got = ADDRESS.sub("0x...", actual).rstrip("\n").splitlines()
    if len(want) != len(got):
        return False
    for w, g in zip(want, got):
        pattern = ".*?".join(re.escape(part) for part in w.rstrip().split("..."))
        if not re.fullmatch(pattern, g.rstrip()):
            return False
    return True


def run_page(name: str, min_blocks: int, min_outputs: int, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    page = DOCS / name
    found = blocks(page.read_text())
    assert len(found) >= min_blocks
    assert sum(out is not None for _, out in found) >= min_outputs
    namespace: dict = {"__name__": page.stem.replace("-", "_")}
    for i, (block, expected) in enumerate(found):
        code = compile(block, f"{page.name}[block {i}]", "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)  # noqa: S102 - the document's own examples
        if expected is not None and not matches(expected, printed.getvalue()):
            pytest.fail(
                f"{page.name} block {i} printed\n{printed.getvalue()}\nbut the page shows\n"
                f"{expected}"
            )


def test_matches_ellipsis_and_addresses():
    assert matches("loss ... ms\n", "loss 12.5 ms\n")
    assert matches("<node at 0x7f00>", "<node at 0xdeadbeef>")
    assert not matches("loss ... ms", "loss 12.5 s")
    assert not matches("a\n...", "a\nb\nc")  # ... never spans lines
    assert not matches("a", "a\nb")


def test_how_jitgrad_works(tmp_path, monkeypatch):
    run_page("how-jitgrad-works.md", 8, 8, tmp_path, monkeypatch)


def test_lesson(tmp_path, monkeypatch):
    run_page("lesson.md", 6, 6, tmp_path, monkeypatch)
