"""The lines `portal pongo-check` prints, and the small readers of Pongo's answers they use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from portal.pongo import inferred
from portal.pongo.reference import Cited

CONFIRMED, DIFFERS, NOT_CHECKED = "confirmed", "differs", "not checked"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def label(subject: str) -> str:
    """How a line names what it checks."""
    if isinstance(subject, Cited):
        kind = "inferred" if subject.inferred else "documented"
        return f"{subject.what} {str(subject)!r} [{subject.page}, {kind}]"
    return subject


def clip(text: Any, limit: int = 160) -> str:
    """Pongo's words, printable and short."""
    shown = _CONTROL.sub(" ", str(text))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass
class Report:
    """The lines of one check, in the order found."""

    lines: list[str] = field(default_factory=list)
    reported: set[int] = field(default_factory=set)

    def add(self, verdict: str, subject: str, detail: str = "") -> None:
        """Note one line about one assumption."""
        self.reported.add(id(subject))
        self.lines.append(f"{verdict}: {label(subject)}" + (f" ({detail})" if detail else ""))

    def check(self, ok: bool, subject: str, *, came: str = "", note: str = "") -> None:
        """`confirmed` (with a note) when ok, else `differs` with what came back."""
        self.add(CONFIRMED if ok else DIFFERS, subject, note if ok else came)

    def unless_reported(self, subject: str, detail: str) -> None:
        """A `not checked` line, for what no earlier line spoke of."""
        if id(subject) not in self.reported:
            self.add(NOT_CHECKED, subject, detail)

    @property
    def differs(self) -> bool:
        """Whether anything came back otherwise than the client assumes."""
        return any(line.startswith(DIFFERS) for line in self.lines)


def names(body: Any) -> str:
    if isinstance(body, Mapping):
        return "fields: " + (", ".join(sorted(clip(k, 40) for k in body)) or "none")
    return f"a JSON {type(body).__name__}"


def json_of(reply: httpx.Response) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def said(reply: httpx.Response) -> str:
    body = json_of(reply)
    message = body.get(inferred.ERROR_MESSAGE) if isinstance(body, Mapping) else None
    error = body.get("error") if isinstance(body, Mapping) else None
    said = f"HTTP {reply.status_code}"
    return said + (f": {clip(error or message)}" if error or message else "")
