"""Every path and name the client uses cites a page of Pongo's reference; guesses in one place."""

from __future__ import annotations

import pathlib

import pytest

from portal.pongo import endpoints, inferred
from portal.pongo.models import reward_fields, store_fields
from portal.pongo.reference import PAGES, Cited, documented

PORTAL = pathlib.Path(__file__).parents[2] / "portal"


def cited_names() -> list[object]:
    names: list[object] = []
    for endpoint in endpoints.ALL:
        names += [endpoint.path, endpoint.scope] if endpoint.scope else [endpoint.path]
    for holder in (endpoints.Order, endpoints.Customer, endpoints.Line):
        names += [v for k, v in vars(holder).items() if k.isupper()]
    return names


def test_every_path_scope_and_body_name_cites_a_reference_page() -> None:
    names = cited_names()
    assert len(names) > 30
    for name in names:
        assert isinstance(name, Cited), name
        assert name.page in PAGES


def test_every_field_the_client_reads_is_cited() -> None:
    assert store_fields() == endpoints.STORE_FIELDS
    assert reward_fields() == endpoints.REWARD_FIELDS
    for field in (*endpoints.STORE_FIELDS, *endpoints.REWARD_FIELDS, *endpoints.ACCOUNT_FIELDS):
        assert isinstance(field, Cited)
        assert field.page in PAGES


def test_guesses_are_made_in_inferred_py_only() -> None:
    elsewhere = [
        path.relative_to(PORTAL)
        for path in PORTAL.rglob("*.py")
        if path.name not in ("inferred.py", "reference.py") and "guessed(" in path.read_text()
    ]
    assert elsewhere == []
    guesses = inferred.every_guess()
    assert all(g.inferred and g.reason for g in guesses)
    inferred_in_use = {id(n) for n in cited_names() if isinstance(n, Cited) and n.inferred}
    assert inferred_in_use <= {id(g) for g in guesses}


def test_a_citation_must_name_a_page_of_the_reference() -> None:
    with pytest.raises(ValueError, match="not a page"):
        documented("/v1/x", what="path", page="reference/made-up")
    path = endpoints.ME.path
    assert path == "/v1/oauth/me"
    assert not path.inferred
    assert "getuserinformation-1" in path.describe()
    assert "inferred" in endpoints.STORES.path.describe()
