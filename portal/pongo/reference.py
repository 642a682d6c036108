"""Where each name the client uses comes from: a page of Pongo's API reference, or a guess.

A `Cited` is a plain string (a path, a field name, a value) that also carries the slug of
the page under https://hey-pongo.readme.io/ it comes from, and whether that page states
it (`documented`) or only lets us infer it (`guessed`, with the reason). Guesses are all
made in `portal.pongo.inferred`, the one module to change when Pongo says otherwise;
`portal pongo-check` reports on each of them against a real Pongo.
"""

from __future__ import annotations

from typing import Self

# The pages of Pongo's reference the client relies on (see PONGO-API.md).
PAGES = frozenset(
    {
        "reference/authentication-2",
        "reference/getaccesstoken-1",
        "reference/getuserinformation-1",
        "reference/createanorder-1",
        "reference/getrewards-1",
        "reference/merchant-authentication-and-setup",
        "reference/build-point-of-sale-integration",
        "reference/how-our-loyalty-program-works-1",
        "reference/quality-check",
        "reference/createacustomer-1",
        # The sidebar's entries (verb and title) without a captured page of their own.
        "reference (sidebar): Test the token",
        "reference (sidebar): List all stores",
        "reference (sidebar): Update order status",
    }
)


class Cited(str):
    """A name or value the client sends or reads, with the reference page behind it."""

    what: str
    page: str
    reason: str | None

    def __new__(cls, value: str, *, what: str, page: str, reason: str | None = None) -> Self:
        if page not in PAGES:
            raise ValueError(f"{what}: {page!r} is not a page of Pongo's reference")
        cited = super().__new__(cls, value)
        cited.what = what
        cited.page = page
        cited.reason = reason
        return cited

    @property
    def inferred(self) -> bool:
        """Whether the page only lets us infer this (a guess to confirm with Pongo)."""
        return self.reason is not None

    def describe(self) -> str:
        """One line for a report: what it is, its value and its page."""
        kind = f"inferred: {self.reason}" if self.reason else "documented"
        return f"{self.what} {str(self)!r} ({self.page}, {kind})"


def documented(value: str, *, what: str, page: str) -> Cited:
    """A name or value the reference page states."""
    return Cited(value, what=what, page=page)


def guessed(value: str, *, what: str, page: str, reason: str) -> Cited:
    """A name or value the reference does not state; only `portal.pongo.inferred` makes these."""
    return Cited(value, what=what, page=page, reason=reason)
