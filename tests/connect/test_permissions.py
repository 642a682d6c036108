"""The Connection page says what the granted permissions allow, codes under Technical details."""

from __future__ import annotations

import re

import httpx
from flask import Flask
from flask.testing import FlaskClient

from portal.connect.scopes import permission_words
from tests.helpers.connect import connect_merchant


def test_permissions_read_as_words_with_codes_under_technical_details(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    client: FlaskClient = pongo_app.test_client()
    connect_merchant(client, pongo, extra={"locale": "fr"})
    page = client.get("/connect/").get_data(as_text=True)
    permissions = re.search(r"Autorisations</dt><dd>(.*?)</dd>", page, re.S)
    assert permissions
    shown = re.sub(r"<details.*?</details>", "", permissions.group(1), flags=re.S)
    assert "lire vos récompenses" in shown
    assert "envoyer vos commandes" in shown
    assert "reward.read" not in shown
    assert "order.create" in permissions.group(1)


def test_an_unknown_scope_is_shown_as_itself() -> None:
    assert permission_words("order.create, loyalty.beta,") == ["send your orders", "loyalty.beta"]
    assert permission_words(None) == []
