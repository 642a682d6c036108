"""The erasure list: in the database, and copied line by line to a file kept apart from it.

A backup restored after an erasure holds the number again and an erasure list without it;
the file, kept outside the database and its backups, still has the erasure, and
`portal purge` applies the lines the database does not know yet.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models.erasure import ErasedPhone


@dataclass(frozen=True)
class Erasure:
    """One line of the list: a keyed hash, the merchant it was limited to, and when."""

    phone_key: str
    merchant_ref: str | None
    erased_at: datetime

    def line(self) -> str:
        """The erasure as one JSON line of the file."""
        return json.dumps(
            {
                "phone_key": self.phone_key,
                "merchant": self.merchant_ref,
                "erased_at": self.erased_at.isoformat(),
            }
        )


def remember(erasure: Erasure, copy_to: str) -> None:
    """Add the erasure to the database's list (flushes) and to the file, when one is set."""
    db.session.add(
        ErasedPhone(
            phone_key=erasure.phone_key,
            merchant_ref=erasure.merchant_ref,
            erased_at=erasure.erased_at,
        )
    )
    if copy_to:
        with Path(copy_to).open("a", encoding="utf-8") as file:
            file.write(erasure.line() + "\n")
            file.flush()
            os.fsync(file.fileno())


def read_file(path: str) -> list[Erasure]:
    """Every erasure in the file (none when the file is not set or not there yet)."""
    if not path or not Path(path).exists():
        return []
    found: list[Erasure] = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        if raw.strip():
            entry = json.loads(raw)
            found.append(
                Erasure(
                    phone_key=str(entry["phone_key"]),
                    merchant_ref=entry.get("merchant"),
                    erased_at=datetime.fromisoformat(entry["erased_at"]),
                )
            )
    return found


def unknown_to_database(erasures: list[Erasure]) -> list[Erasure]:
    """The erasures the database's list does not hold (made after its backup was taken)."""
    known = {
        (row.phone_key, row.merchant_ref, row.erased_at)
        for row in db.session.execute(
            select(ErasedPhone.phone_key, ErasedPhone.merchant_ref, ErasedPhone.erased_at)
        )
    }
    return [e for e in erasures if (e.phone_key, e.merchant_ref, e.erased_at) not in known]
