"""Loading the demo merchants through the POS API, exactly as the POS back-end would."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from portal.api import keys
from portal.demo.data import requests
from portal.extensions import db


class DemoLoadError(RuntimeError):
    """The API refused a demo request; the message says which."""


def load_demo_data(echo: Callable[[str], None] = lambda _: None) -> int:
    """Send every demo request through the API with a throwaway key; returns how many."""
    new = keys.create_key(name="demo-data loader")
    db.session.commit()
    client = current_app.test_client()
    headers = {"Authorization": f"Bearer {new.plaintext}"}
    sent = 0
    try:
        for method, path, body in requests():
            answer = client.open(path, method=method, json=body, headers=headers)
            if answer.status_code >= 400:
                raise DemoLoadError(f"{method} {path}: {answer.status_code} {answer.text}")
            echo(f"{method} {path}: {answer.status_code}")
            sent += 1
    finally:
        # The loader's key is of no further use; revoke it so no stray key stays live.
        keys.revoke_key(prefix=new.key.prefix)
        db.session.commit()
    return sent
