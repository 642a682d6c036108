"""README.md stays true: every setting and every operator verb is documented."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.config import settings_table

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
FLASK_BUILTINS = {"run", "shell", "routes", "limiter"}


def test_every_setting_is_in_the_readme() -> None:
    missing = [var for var, _ in settings_table() if f"`{var}`" not in README]
    assert missing == []


def test_every_command_line_verb_is_in_the_readme(app: Flask) -> None:
    from portal.cli import main

    registered = set(app.cli.list_commands(None)) | set(main.commands)  # type: ignore[arg-type]
    verbs = registered - FLASK_BUILTINS
    assert {"demo", "sandbox", "relay-worker", "launch-url"} <= verbs
    missing = sorted(
        verb for verb in verbs if f"portal {verb}" not in README and f"`{verb}" not in README
    )
    assert missing == []


def test_every_api_route_is_in_the_readme(app: Flask) -> None:
    routes = {
        rule.rule.replace("<", "").replace(">", "")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/merchants")
    }
    documented = README.replace("<", "").replace(">", "")
    assert sorted(r for r in routes if r not in documented) == []
