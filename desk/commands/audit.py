"""`desk audit verify` and `desk audit show`: the access log for operators and auditors."""

from __future__ import annotations

import json
import sys

import click

from desk.config import load_config, session_settings


@click.group("audit")
def audit_group() -> None:
    """The access log (Act 906/2019): verify its hash chain, show entries."""


@audit_group.command("verify")
def verify_command() -> None:
    """Check every entry's hash against its content and the one before (exit 1 if broken)."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import audit, schema

    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            broken = audit.verify(session)
            total = audit.count(session)
    finally:
        engine.dispose()
    if broken is not None:
        click.echo(f"broken at entry {broken.entry_id}: {broken.reason}")
        sys.exit(1)
    click.echo(f"ok {total} entries")


@audit_group.command("show")
@click.option("--case", "reference", default=None, help="A case reference (TP-2026-000001).")
@click.option("--person", "email", default=None, help="A staff member's or contact's email.")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
def show_command(reference: str | None, email: str | None, limit: int) -> None:
    """A case's or a person's entries, newest first, one JSON object a line."""
    from desk.db import make_engine, make_session_factory, session_scope
    from desk.services import audit, schema

    if (reference is None) == (email is None):
        raise click.UsageError("give exactly one of --case and --person")
    config = load_config()
    schema.upgrade(config["DATABASE_URL"])
    engine = make_engine(config["DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine, session_settings(config))) as session:
            if reference is not None:
                entries = audit.for_case(session, reference, limit=limit)
            else:
                entries = audit.for_person(session, email or "", limit=limit)
            lines = [json.dumps(audit.as_json(entry), ensure_ascii=False) for entry in entries]
    finally:
        engine.dispose()
    for line in lines:
        click.echo(line)
