"""The sandbox's demo client: development connects to it out of the box, production refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import config, create_app
from portal.sandbox import demo_client_secrets
from tests.helpers.settings import PRODUCTION_SETTINGS

PRODUCTION = config.from_environ({}, PRODUCTION_SETTINGS)


@pytest.mark.parametrize("client_id", sorted(demo_client_secrets()))
def test_production_refuses_a_demo_client_secret(client_id: str) -> None:
    published = demo_client_secrets().values()
    config.check_production(PRODUCTION, published)
    demo = config.with_values(PRODUCTION, {"pongo_client_secret": demo_client_secrets()[client_id]})
    with pytest.raises(config.SettingsError, match="PONGO_CLIENT_SECRET is a client secret"):
        config.check_production(demo, published)


def test_the_app_factory_gives_production_the_demo_secrets_to_refuse(tmp_path: Path) -> None:
    secret = demo_client_secrets()["portal-demo"]
    with pytest.raises(config.SettingsError, match="PONGO_CLIENT_SECRET is a client secret"):
        create_app({**PRODUCTION_SETTINGS, "pongo_client_secret": secret})


def test_development_uses_the_demo_fixtures_secret_for_its_client(tmp_path: Path) -> None:
    settings = config.fill_development_secrets(config.Settings(), tmp_path, demo_client_secrets())
    assert settings.pongo.client_id == "portal-demo"
    assert settings.pongo.client_secret == demo_client_secrets()["portal-demo"]
    pos_dev = config.fill_development_secrets(
        config.from_environ({}, {"pongo_client_id": "pos-dev"}), tmp_path, demo_client_secrets()
    )
    assert pos_dev.pongo.client_secret == demo_client_secrets()["pos-dev"]


def test_a_configured_secret_wins_over_the_demo_one(tmp_path: Path) -> None:
    settings = config.from_environ({}, {"pongo_client_secret": "from-the-environment"})
    filled = config.fill_development_secrets(settings, tmp_path, demo_client_secrets())
    assert filled.pongo.client_secret == "from-the-environment"


def test_the_demo_secret_lives_in_the_sandbox_fixture_only() -> None:
    modules = sorted(Path(config.__file__).parent.glob("*.py"))
    assert len(modules) > 1
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert "portal.sandbox" not in source, module
        for secret in demo_client_secrets().values():
            assert secret not in source, module
