"""A backup restored after an erasure holds the number again; `portal purge` erases it anew."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from portal.privacy.phones import spellings
from tests.helpers.orders import OrdersApi, drain, order_body
from tests.privacy.conftest import migrated_app
from tests.privacy.dump import dump_database, restored_copy, take_backup

ERASED = "33612345678"
LATER = "33698765432"


def test_a_restore_then_a_purge_finds_no_erased_number(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, tmp_path: Path, erasure_list: Path
) -> None:
    assert api.order(order_body("A-1")).status_code == 202
    assert api.order(order_body("B-1", customer={"phone": f"+{LATER}"})).status_code == 202
    drain(relay_app)
    backup = take_backup(relay_app, tmp_path)
    assert api.post("/merchants/M1/erasures", {"phone": f"+{ERASED}"}).status_code == 200
    assert ERASED not in dump_database(relay_app)

    with restored_copy(relay_app, backup) as restored_url:
        restored = migrated_app(restored_url, privacy_erasure_list=str(erasure_list))
        # The restore brought the number back: the check below can fail.
        assert ERASED in dump_database(restored)

        result = restored.test_cli_runner().invoke(args=["purge"])

        assert result.exit_code == 0, result.output
        assert re.search(r"re-applied from the erasure list: 1 \(1 order", result.output)
        dump = dump_database(restored)
        assert spellings(ERASED).search(dump) is None
        assert LATER in dump
        again = restored.test_cli_runner().invoke(args=["purge"])
        assert "re-applied from the erasure list: 0" in again.output
