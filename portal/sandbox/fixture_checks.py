"""The sandbox's fixture: its format and the checks of its shape.

Fixture format (JSON), which POS developers may also write by hand::

    {
      "token_lifetime": 3600,                 # optional, seconds
      "refresh_grant": false,                 # optional: true adds a refresh grant
      "clients": [{"client_id": "...", "client_secret": "...", "name": "...",
                   "redirect_uris": ["https://..."]}],
      "accounts": [{"login": "...", "password": "...", "name": "...",
                    "id": "...", "email": "...",          # optional
                    "stores": [{"slug", "name", "address", "city",
                                "postal_code", "public_id"}],
                    "rewards": [{"public_id", "name", "points", "external_id"}]}]
    }

Extra keys are allowed anywhere and are served back unchanged. A reward may carry
"store_slugs" or "customers" lists to restrict where or to whom it is offered.
"""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

JSONDict = dict[str, Any]


class FixtureError(ValueError):
    """The fixture file does not have the documented shape."""


def load_fixture(fixture: JSONDict | str | pathlib.Path) -> JSONDict:
    """Read a fixture from a dict or a JSON file path and check its shape."""
    if isinstance(fixture, dict):
        data: Any = copy.deepcopy(fixture)
    else:
        data = json.loads(pathlib.Path(fixture).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise FixtureError("the fixture must be a JSON object")
    _check_fixture(data)
    return data


def _require(item: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(item, dict):
        raise FixtureError(f"{where} must be an object")
    for key in keys:
        if not isinstance(item.get(key), str) or not item[key]:
            raise FixtureError(f"{where} needs a non-empty string {key!r}")


def _check_fixture(data: JSONDict) -> None:
    clients = data.get("clients", [])
    accounts = data.get("accounts", [])
    if not isinstance(clients, list) or not isinstance(accounts, list):
        raise FixtureError("'clients' and 'accounts' must be lists")
    if not isinstance(data.get("refresh_grant", False), bool):
        raise FixtureError("'refresh_grant' must be true or false")
    for i, client in enumerate(clients):
        _require(client, ("client_id", "client_secret", "name"), f"clients[{i}]")
        uris = client.get("redirect_uris")
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise FixtureError(f"clients[{i}].redirect_uris must be a list of strings")
    logins = set()
    for i, account in enumerate(accounts):
        _require(account, ("login", "password", "name"), f"accounts[{i}]")
        if account["login"] in logins:
            raise FixtureError(f"accounts[{i}] repeats the login {account['login']!r}")
        logins.add(account["login"])
        check_stores(account.get("stores", []), f"accounts[{i}].stores")
        check_rewards(account.get("rewards", []), f"accounts[{i}].rewards")


def check_stores(stores: Any, where: str = "stores") -> list[JSONDict]:
    """Check a list of stores: each needs a unique slug."""
    if not isinstance(stores, list):
        raise FixtureError(f"{where} must be a list")
    slugs = set()
    for i, store in enumerate(stores):
        _require(store, ("slug",), f"{where}[{i}]")
        if store["slug"] in slugs:
            raise FixtureError(f"{where}[{i}] repeats the slug {store['slug']!r}")
        slugs.add(store["slug"])
    return stores


def check_rewards(rewards: Any, where: str = "rewards") -> list[JSONDict]:
    """Check a list of rewards: each needs a public_id."""
    if not isinstance(rewards, list):
        raise FixtureError(f"{where} must be a list")
    for i, reward in enumerate(rewards):
        _require(reward, ("public_id",), f"{where}[{i}]")
    return rewards
