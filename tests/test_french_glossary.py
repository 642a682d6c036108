"""French uses one name per thing (the glossary), real plurals, and serves fr-CA from fr."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from tests.helpers.api import Api
from tests.helpers.launch import launch

CATALOGUE = Path(__file__).resolve().parents[1] / "portal/translations/fr/LC_MESSAGES/messages.po"
# Words the glossary replaced: a POS location is an "établissement", a Pongo store a
# "boutique Pongo", a location is "associé" to its store (never "lié", never "orphelin": its
# store has "disparu"), the first page is the "vue d'ensemble", and Pongo is called by its name.
BANNED = re.compile(
    r"(?i)\bmagasins?\b|\bemplacements?\b|plateforme de fidélité|\w\(s\)"
    r"|\bli(é|ée|és|ées|ez)\b|orphelin|accueil"
)
LOCATIONS = [
    {"ref": "L1", "name": "Lumière Oberkampf", "city": "Paris"},
    {"ref": "L2", "name": "Lumière Lyon", "city": "Lyon"},
]


def test_french_catalogue_follows_the_glossary_and_fakes_no_plural() -> None:
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    breaches = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        breaches += [s for s in strings if s and BANNED.search(s)]
    assert breaches == []


@pytest.mark.parametrize(
    ("count", "plural"),
    [(1, ("1 non associé<", "Actif (1)")), (2, ("2 non associés<", "Actifs (2)"))],
)
def test_fr_ca_gets_the_french_words_and_real_plurals(
    client: FlaskClient, api: Api, count: int, plural: tuple[str, str]
) -> None:
    assert api.put("/merchants/M1", {"name": "Boulangerie Lumière"}).status_code in (200, 201)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS[:count]}).status_code == 200
    launch(client, extra={"locale": "fr-CA"})
    page = client.get("/locations").get_data(as_text=True)
    for words in ('<html lang="fr-CA">', "Boutique Pongo", "Établissement", *plural):
        assert words in page
