"""The wheel built from the repository is a complete portal: templates, static files, migrations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "portal", "templates", "static", "migrations")
DATA_FOLDERS = {
    "portal._templates": "templates",
    "portal._static": "static",
    "portal._migrations": "migrations",
}

SERVE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import portal
    from portal import create_app

    assert Path(portal.__file__).is_relative_to(sys.prefix), portal.__file__
    client = create_app().test_client()
    health = client.get("/healthz")
    assert health.status_code == 200, health.status_code
    page = client.get("/launch", headers={"Accept-Language": "fr"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400, page.status_code
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html, html
    assert 'class="site-footer"' in html, html
    assert "Impossible d’ouvrir votre portail" in html, html
    css = client.get("/static/css/portal.css")
    assert css.status_code == 200, css.status_code
    assert css.get_data(as_text=True).strip(), "empty stylesheet"
    print("served")
    """
)


def test_every_package_of_portal_is_listed_for_the_wheel() -> None:
    """pyproject lists each package under portal/ (plus the data folders) so none is left out."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in ROOT.glob("portal/**/__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk | set(DATA_FOLDERS)
    assert setuptools["package-dir"] == DATA_FOLDERS


def _copy_sources(destination: Path) -> None:
    """The repository's build inputs, without caches, with freshly compiled catalogues."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    for catalogue in (destination / "portal/translations").glob("*/LC_MESSAGES/messages.po"):
        with catalogue.open("rb") as po, catalogue.with_suffix(".mo").open("wb") as mo:
            write_mo(mo, read_po(po))


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run a command, failing the test with its output when it fails."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.mark.packaging
def test_wheel_installed_outside_the_checkout_migrates_and_serves_pages(tmp_path: Path) -> None:
    """Build the wheel, install it in a fresh virtualenv, run `portal db upgrade`, serve pages."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    source, dist, venv, run = (tmp_path / name for name in ("src", "dist", "venv", "run"))
    for folder in (source, run):
        folder.mkdir()
    _copy_sources(source)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "VIRTUAL_ENV", "PYTHON", "FLASK_"))
        and key != "DATABASE_URL"
    }

    _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(source)], tmp_path, env)
    (wheel,) = dist.glob("*.whl")
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], tmp_path, env)
    python = venv / "bin/python"
    _run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], tmp_path, env)

    env["DATABASE_URL"] = f"sqlite:///{run / 'portal.db'}"
    upgraded = _run([str(venv / "bin/portal"), "db", "upgrade"], run, env)
    assert "Running upgrade  -> news_a1_read_at" in upgraded
    script = run / "serve.py"
    script.write_text(SERVE)
    assert "served" in _run([str(python), str(script)], run, env)
    assert (run / "portal.db").stat().st_size > 0
