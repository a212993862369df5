"""`desk inbound ...`: the inbound SMTP receiver, and processing received mail by hand."""

from __future__ import annotations

import time

import click

from desk.config import load_config, session_settings


@click.group()
def inbound() -> None:
    """The email channel: receive and process employers' email."""


@inbound.command("smtp")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=None, type=int, help="Default: $DESK_INBOUND_SMTP_PORT, else 2525.")
def smtp(host: str, port: int | None) -> None:
    """Receive email by SMTP; each message is stored before it is accepted."""
    from desk.db import make_engine, make_session_factory
    from desk.services.inbound.settings import InboundSettings
    from desk.services.inbound.smtp_receiver import port_or_free, start_receiver

    config = load_config()
    wanted = port or int(config["INBOUND_SMTP_PORT"])
    chosen = port_or_free(host, wanted)
    engine = make_engine(config["DATABASE_URL"])
    sessions = make_session_factory(engine, session_settings(config))
    settings = InboundSettings.from_config(config)
    controller = start_receiver(sessions, host, chosen, settings.max_bytes)
    if chosen != wanted:
        click.echo(f"Port {wanted} is busy; using {chosen}.")
    click.echo(f"Inbound SMTP on smtp://{host}:{chosen} (stored, then processed by the worker)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        engine.dispose()


@inbound.command("process")
def process() -> None:
    """Process the received messages now (the worker does it every few seconds)."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services.attachment_storage import storage_from_config
    from desk.services.inbound import process as inbound_process
    from desk.services.inbound.settings import InboundSettings

    config = load_config()
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            done = inbound_process.process_pending(
                session, InboundSettings.from_config(config), storage_from_config(config)
            )
    finally:
        engine.dispose()
    click.echo(f"Processed {done} message(s).")
