"""Every symbol the pages draw exists in a font the browser has (no empty boxes)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Arrows, technical signs, shapes, dingbats and pictographs: the ranges fonts often lack.
SYMBOL = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff]")


def drawn_symbols() -> dict[str, str]:
    """Each symbol in the templates and the Python that feeds them, with one file using it."""
    found: dict[str, str] = {}
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("portal/**/*.py")]
    for path in files:
        for char in SYMBOL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(char, str(path.relative_to(ROOT)))
    return found


def has_font_for(char: str) -> bool:
    """Whether fontconfig knows an installed font that draws `char`."""
    fc_list = shutil.which("fc-list")
    assert fc_list, "fontconfig's fc-list is missing: `make chromium` installs it with Chromium"
    listed = subprocess.run(
        [fc_list, f":charset={ord(char):x}", "family"],
        capture_output=True,
        text=True,
        check=True,
    )
    return bool(listed.stdout.strip())


def test_every_symbol_on_the_pages_has_a_font() -> None:
    symbols = drawn_symbols()
    assert "✔" in symbols, "the scan finds the badges' icons"
    missing = {
        f"U+{ord(char):04X} {char}": where
        for char, where in symbols.items()
        if not has_font_for(char)
    }
    assert missing == {}
