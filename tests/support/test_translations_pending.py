"""Every text the support console adds has a French translation waiting to be merged."""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.pofile import read_po

from tests.test_translations import source_messages

ROOT = Path(__file__).resolve().parents[2]
PENDING = ROOT / "portal/translations/fr/pending-support.json"


def test_new_texts_have_french_translations_pending() -> None:
    with (ROOT / "portal/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = {m.id for m in read_po(handle, locale="fr") if m.id and m.string}
    pending = json.loads(PENDING.read_text(encoding="utf-8"))
    others = {}
    for path in PENDING.parent.glob("pending-*.json"):
        if path != PENDING:
            others.update(json.loads(path.read_text(encoding="utf-8")))
    missing = sorted(source_messages() - catalog - set(pending) - set(others))
    assert missing == []
    assert all(isinstance(v, str) and v.strip() for v in pending.values())
