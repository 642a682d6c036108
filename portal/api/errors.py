"""The API's refusals as JSON: field errors for bad bodies, a plain error for the rest."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from portal.api.schemas import FieldError


class InvalidBody(Exception):
    """The body broke one or more rules; answered 422 with every field error."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} invalid field(s)")


def field_errors(error: ValidationError) -> list[FieldError]:
    """Pydantic's errors as dotted paths (`locations.3.ref`) with their messages."""
    return [
        FieldError(path=".".join(str(part) for part in item["loc"]), message=item["msg"])
        for item in error.errors(include_url=False, include_input=False)
    ]


def duplicates(refs: Iterable[str], field: str) -> list[FieldError]:
    """One error per repeated ref in a list, naming where it first appeared."""
    first: dict[str, int] = {}
    problems = []
    for index, ref in enumerate(refs):
        if ref in first:
            problems.append(
                FieldError(
                    path=f"{field}.{index}.ref",
                    message=f"duplicate ref {ref!r} (first at {field}.{first[ref]})",
                )
            )
        else:
            first[ref] = index
    return problems
