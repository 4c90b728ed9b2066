"""The example of docs/development/cap.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "development" / "cap.md"
SAMPLES = Path(__file__).parent / "data"


def test_the_guide_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1
    exec(compile(blocks[0], str(GUIDE), "exec"), {"SAMPLES": SAMPLES})  # noqa: S102
    printed = capsys.readouterr().out
    assert printed.startswith("alert/scope element.missing <scope> is missing")
