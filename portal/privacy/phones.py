"""Every spelling of one phone number, found and blanked in stored text: a pure core, no I/O.

A number is given in international form (the orders' own normaliser). People and systems
write it many ways: `+33 6 12 34 56 78`, `0033612345678`, `33612345678`, `+33 (0)6 12…`,
the national `06.12.34.56.78` or the bare `612345678`. One regular expression matches all
of them: an optional international prefix (`+`, `00`, or none) and country code, or the
country's trunk prefix, then the national significant number, with any of the separators
people type between digits, and never inside a longer run of digits. The trunk prefix and
the national significant number come from libphonenumber's metadata (`phonenumbers`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from portal.orders.mapping import normalise_phone

ERASED = "[erased]"
# What people type between digits (the orders' normaliser accepts the same). The no-break
# and thin spaces are read as spaces before matching (one character for one, so positions
# hold): an ASCII-only class compiles several times faster, and a pattern is built per number.
_SEP = r"[ \t\r\n.\-/()]*"
_AS_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2009\u202f", " "))
# A bare national number shorter than this is too likely to match something else.
MIN_BARE_DIGITS = 7


@dataclass(frozen=True)
class CustomerPhone:
    """One customer's phone number: its digits as stored and a pattern for every spelling."""

    digits: str
    pattern: re.Pattern[str]

    def key(self, secret: str) -> str:
        """The keyed hash kept in the erasure list instead of the number."""
        return phone_key(self.digits, secret)


def phone_key(digits: str, secret: str) -> str:
    """HMAC-SHA256 of the international digits: the same number always gives the same key."""
    return hmac.new(secret.encode(), f"erased-phone:{digits}".encode(), hashlib.sha256).hexdigest()


def _spaced(digits: str) -> str:
    return _SEP.join(re.escape(d) for d in digits)


def _parts(digits: str) -> tuple[str, str, str | None]:
    """(country code, national significant number, trunk prefix) of international digits."""
    try:
        number = phonenumbers.parse(f"+{digits}")
    except phonenumbers.NumberParseException:
        return "", digits, None
    national = phonenumbers.national_significant_number(number)
    if number.country_code is None or f"{number.country_code}{national}" != digits:
        return "", digits, None
    region = phonenumbers.region_code_for_country_code(number.country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata is not None else None
    return str(number.country_code), national, trunk or None


@functools.lru_cache(maxsize=1024)
def spellings(digits: str) -> re.Pattern[str]:
    """A pattern matching the number however it is written, and nothing longer."""
    country, national, trunk = _parts(digits)
    if not country:
        prefixes = [rf"(?:(?:\+|00){_SEP})?"]
    else:
        prefixes = [rf"(?:(?:\+|00){_SEP})?{_spaced(country)}{_SEP}(?:\(0\){_SEP})?"]
        if trunk:
            prefixes.append(f"{_spaced(trunk)}{_SEP}")
        if len(national) >= MIN_BARE_DIGITS:
            prefixes.append("")
    alternatives = "|".join(prefixes)
    return re.compile(rf"(?<!\d)(?:{alternatives}){_spaced(national)}(?!\d)")


def customer_phone(raw: str) -> CustomerPhone:
    """Parse an international number (raises InvalidPhone) into its spellings."""
    digits = normalise_phone(raw)
    return CustomerPhone(digits=digits, pattern=spellings(digits))


def stored_phone(digits: str) -> CustomerPhone:
    """The phone of a stored order (already normalised digits)."""
    return CustomerPhone(digits=digits, pattern=spellings(digits))


def _subn(pattern: re.Pattern[str], text: str) -> tuple[str, int]:
    """`text` with each spelling replaced, matched on a copy whose special spaces are plain."""
    parts: list[str] = []
    last = 0
    for found in pattern.finditer(text.translate(_AS_SPACES)):
        parts += [text[last : found.start()], ERASED]
        last = found.end()
    if not parts:
        return text, 0
    return "".join([*parts, text[last:]]), len(parts) // 2


def scrub(value: Any, pattern: re.Pattern[str]) -> tuple[Any, int]:
    """`value` (text or JSON) with every spelling replaced, and how many were replaced."""
    if isinstance(value, str):
        return _subn(pattern, value)
    if isinstance(value, dict):
        changed = 0
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            cleaned[key], count = scrub(item, pattern)
            changed += count
        return cleaned, changed
    if isinstance(value, list):
        items = [scrub(item, pattern) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    return value, 0
