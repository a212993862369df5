"""`desk ...` commands, thin over services."""

from __future__ import annotations

import sys
import time

import click

from desk.config import load_config


@click.group()
def main() -> None:
    """The Päijät-Häme employer desk."""


@main.group()
def db() -> None:
    """Database schema (Alembic)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the latest revision."""
    from desk.services import schema

    schema.upgrade(load_config()["DATABASE_URL"])


@db.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    from desk.services import schema

    schema.check(load_config()["DATABASE_URL"])
    click.echo("Models and migrations agree.")


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models."""
    from desk.services import schema

    schema.revision(load_config()["DATABASE_URL"], message)


@main.command()
@click.option("--demo/--no-demo", default=True, help="Create the demo staff (not in production).")
def setup(demo: bool) -> None:
    """Migrate, load reference data and demo users; idempotent."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import reference_data, schema, users

    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    with session_scope(make_session_factory(engine)) as session:
        reference_data.load_reference_data(session, config["REFERENCE_DATA_FILE"])
        shown = []
        if demo and config["ENV"] != "production":
            shown = users.load_demo_users(session, config["DEMO_USERS_FILE"])
    engine.dispose()
    click.echo("Database ready: " + _redact(config["DATABASE_URL"]))
    if shown:
        click.echo(f"\nDemo sign-ins (password for all: {shown[0][1]}):")
        for email, _password, description in shown:
            click.echo(f"  {email:38} {description}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=None, type=int, help="Default: SMTP_PORT of the configuration.")
def mailcatcher(host: str, port: int | None) -> None:
    """Run the development SMTP catcher; admins read the mail on /admin/dev/mail."""
    from desk.services.mailcatcher import start_catcher

    config = load_config()
    controller = start_catcher(config["MAILCATCHER_DIR"], host, port or int(config["SMTP_PORT"]))
    click.echo(f"Mail catcher on smtp://{host}:{controller.port} -> {config['MAILCATCHER_DIR']}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
