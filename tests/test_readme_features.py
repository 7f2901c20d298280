"""The README's "Supported features" table is true: every name it lists as supported exists in
jitgrad, every name it lists as not yet supported is missing (with the "not implemented in
jitgrad" AttributeError), so the table cannot drift from the package either way."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

import jitgrad

README = Path(__file__).resolve().parents[1] / "README.md"
_NAME = re.compile(r"`(torch(?:\.\w+)+)`")


def _table() -> list[tuple[str, list[str], list[str]]]:
    text = README.read_text()
    section = text.split("## Supported features", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("area", "---"):
            continue
        rows.append((cells[0], _NAME.findall(cells[1]), _NAME.findall(cells[2])))
    return rows


ROWS = _table()
SUPPORTED = [name for _, have, _ in ROWS for name in have]
MISSING = [name for _, _, miss in ROWS for name in miss]


def _resolve(name: str) -> Any:
    """``torch.a.b`` looked up on jitgrad as a program would reach it (attribute, else import)."""
    obj: Any = jitgrad
    path = "jitgrad"
    for part in name.split(".")[1:]:
        path += "." + part
        try:
            obj = getattr(obj, part)
        except AttributeError:
            if importlib.util.find_spec(path) is None:
                raise
            obj = importlib.import_module(path)
    return obj


def test_table_is_there_and_sizeable() -> None:
    # (MISSING shrinks as names are built: float16/bfloat16 and the 3-d layers left it)
    assert len(ROWS) >= 15 and len(SUPPORTED) >= 200 and len(MISSING) >= 10
    assert all(have for _, have, _ in ROWS)
    assert len(set(SUPPORTED + MISSING)) == len(SUPPORTED + MISSING)


@pytest.mark.parametrize("name", SUPPORTED)
def test_supported_name_exists(name: str) -> None:
    assert _resolve(name) is not None


@pytest.mark.parametrize("name", MISSING)
def test_not_yet_name_is_missing(name: str) -> None:
    with pytest.raises((AttributeError, ModuleNotFoundError)) as info:
        _resolve(name)
    if info.type is AttributeError:
        assert str(info.value).endswith("(not implemented in jitgrad)"), str(info.value)
