"""Pongo portal: links a POS vendor's merchants to the Pongo loyalty platform."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from portal import config

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent


def folder(name: str) -> Path:
    """A top-level folder of the checkout, or its copy inside an installed wheel (`_name`)."""
    packaged = PACKAGE / f"_{name}"
    return packaged if packaged.is_dir() else ROOT / name


def instance_folder() -> str | None:
    """The checkout's instance/, or Flask's default under sys.prefix when installed."""
    return None if (PACKAGE / "_templates").is_dir() else str(ROOT / "instance")


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the portal: settings, extensions, request lifecycle, blueprints, errors, commands."""
    app = Flask(
        __name__,
        instance_path=instance_folder(),
        template_folder=str(folder("templates")),
        static_folder=str(folder("static")),
        static_url_path="/static",
    )
    from portal.sandbox import demo_client_secrets

    # The demo's Pongo clients: development uses them out of the box, production refuses them.
    settings = config.load(overrides, Path(app.instance_path), demo_client_secrets())
    app.config.from_mapping(flask_config(settings))
    app.extensions[config.EXTENSION] = settings

    from portal import errors, i18n, layout, lifecycle
    from portal.extensions import db, migrate
    from portal.locations import tally
    from portal.models.base import render_migration_item
    from portal.support import guard

    db.init_app(app)
    tally.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(folder("migrations")),
        render_as_batch=True,
        render_item=render_migration_item,
    )
    i18n.init_app(app)
    lifecycle.init_app(app)  # every request hook, in the order a request meets them
    guard.init_app(app)
    layout.init_app(app)
    errors.init_app(app)

    from portal import api, cli, health, locations, metrics, overview
    from portal.audit import views as audit
    from portal.connect import oauth
    from portal.connect import views as connect
    from portal.entry import views as entry
    from portal.orders import views as orders
    from portal.pos_status import worker as pos_events
    from portal.privacy import schedule as purge_schedule
    from portal.products import views as products
    from portal.rewards import views as rewards
    from portal.support import views as support
    from portal.sync import views as sync

    app.register_blueprint(health.bp)
    app.register_blueprint(entry.bp)
    app.register_blueprint(overview.bp)
    app.register_blueprint(connect.bp)
    oauth.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(locations.bp)
    app.register_blueprint(support.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(rewards.bp)
    app.register_blueprint(orders.bp)
    metrics.init_app(app)
    sync.init_app(app)
    pos_events.init_app(app)
    app.register_blueprint(products.bp)
    purge_schedule.init_app(app)  # retention rules, once an hour, beside the relay worker
    cli.init_app(app)
    return app


def engine_options(database_url: str) -> dict[str, Any]:
    """Connection options: SQLite waits for a busy writer instead of failing at once."""
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def flask_config(settings: config.Settings) -> dict[str, Any]:
    """Flask and extension settings derived from the portal's own."""
    secure = settings.production
    return {
        "SECRET_KEY": settings.secret_key,
        "TESTING": settings.env == "test",
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(settings.database_url),
        "SESSION_COOKIE_NAME": "__Host-portal" if secure else "portal_session",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_MINUTES": settings.session.idle_minutes,
        "SESSION_ABSOLUTE_HOURS": settings.session.absolute_hours,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "MAX_CONTENT_LENGTH": settings.max_body_mb * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the server-side session
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_RATE_LIMIT": settings.api_rate_limit,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": settings.timezone,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
    }
