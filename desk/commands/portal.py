"""`desk portal ...`: the employer portal's organisations and contacts."""

from __future__ import annotations

import click

from desk.config import load_config, session_settings


@click.group()
def portal() -> None:
    """The employer portal: organisations and their contacts."""


@portal.command("make-admin")
@click.argument("email")
def make_admin(email: str) -> None:
    """Name the contact at EMAIL the admin contact of their organisation."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import organisations
    from desk.services.errors import NotFound

    config = load_config()
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            contact = organisations.make_admin(session, email)
            name = contact.organisation.name if contact.organisation else ""
    except NotFound as exc:
        raise click.UsageError(f"no contact of an organisation has the address {email}") from exc
    finally:
        engine.dispose()
    click.echo(f"{email.strip().lower()} is now the admin contact of {name}.")
